#include "harness/runner/compare_command.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "harness/runner/compare.hpp"
#include "harness/scenario/load_report.hpp"

namespace rtb {

CLI::App* add_compare_command(CLI::App& app, CompareOptions& o) {
  CLI::App* c = app.add_subcommand(
      "compare",
      "Compare results: the same points side by side, ratios to the first with confidence intervals");
  c->add_option("results", o.inputs,
                "Result folders (with results.csv) or `rtbench load --json` files; the first is the baseline")
      ->required()
      ->expected(2, 64);
  c->add_option("--fail-if-slower", o.fail_if_slower_pct,
                "Exit 1 when a figure is worse than the baseline by more than PCT percent (its whole 95% "
                "interval beyond; with one repetition, its ratio)")
      ->check(CLI::Range(0.0, 1000.0));
  c->add_option("--out", o.out, "Also write the tables to this folder's compare.md");
  c->footer(
      "\nFigures (lower is better): p50_us, p99_us, app and wire bytes per event, requests per event, "
      "server\n"
      "and generator CPU per event, server memory per idle connection. Ratio = median of a result / median\n"
      "of the baseline; 95% interval: percentile bootstrap of the ratio of medians over the repetitions\n"
      "(2,000 resamples, fixed seed); faster/slower only when the whole interval is on one side of 1.\n"
      "\nExit status: 0 compared; 1 a figure is worse beyond --fail-if-slower; 2 a usage error or an input\n"
      "that cannot be read.\n");
  return c;
}

int run_compare_command(const CompareOptions& o) {
  std::vector<ResultSet> sets;
  for (const auto& path : o.inputs) {
    std::string error;
    auto set = read_result_set(path, &error);
    if (!set) {
      fmt::print(stderr, "rtbench compare: {}\n", error);
      return 2;
    }
    sets.push_back(std::move(*set));
  }
  std::string md = "# rtbench compare\n\n";
  bool fail = false;
  std::string why;
  for (std::size_t i = 1; i < sets.size(); ++i) {
    auto figures = compare_sets(sets[0], sets[i]);
    md += compare_markdown(sets[0], sets[i], figures);
    if (o.fail_if_slower_pct >= 0 && worse_beyond(figures, o.fail_if_slower_pct, &why)) fail = true;
  }
  fmt::print("{}", md);
  if (!o.out.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(o.out, ec);
    std::string error;
    if (!write_text_file(o.out + "/compare.md", md, &error)) {
      fmt::print(stderr, "rtbench compare: {}\n", error);
      return 2;
    }
  }
  if (fail) {
    fmt::print(stderr, "rtbench compare: FAILED: {} (--fail-if-slower {})\n", why, o.fail_if_slower_pct);
    return 1;
  }
  return 0;
}

}  // namespace rtb
