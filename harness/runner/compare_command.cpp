#include "harness/runner/compare_command.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "harness/process/child_process.hpp"
#include "harness/runner/compare.hpp"
#include "harness/scenario/load_report.hpp"

#ifndef RTB_RUNNER_SOURCE_DIR
#define RTB_RUNNER_SOURCE_DIR ""
#endif

namespace rtb {

namespace {

namespace fs = std::filesystem;

// The script's exit status when its Python has no matplotlib: plots are skipped, not failed.
constexpr int kNoMatplotlib = 3;

// scripts/plot_compare.py of the tree this binary was built from, else found upwards from the binary.
std::string find_plot_compare_script() {
  std::error_code ec;
  const fs::path relative = "scripts/plot_compare.py";
  const std::string source = RTB_RUNNER_SOURCE_DIR;
  if (!source.empty() && fs::exists(fs::path(source) / relative, ec))
    return (fs::path(source) / relative).string();
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  for (fs::path dir = self.parent_path(); !ec && !dir.empty() && dir != dir.root_path();
       dir = dir.parent_path()) {
    if (fs::exists(dir / relative, ec)) return (dir / relative).string();
  }
  return {};
}

// Runs the plot script on the --out folder (it reads compare.json, writes compare.png); returns one line
// for the reader. Plots are an extra: whatever happens here, the tables are already written.
std::string make_compare_plot(const CompareOptions& o) {
  const std::string script = o.plot_script.empty() ? find_plot_compare_script() : o.plot_script;
  if (script.empty() || !fs::exists(script)) {
    return "plots skipped: scripts/plot_compare.py not found (pass --plot-script)";
  }
  const std::string log = o.out + "/compare_plot.log";
  SpawnOptions s;
  s.binary = o.python;
  s.args = {script, o.out};
  s.output_path = log;
  std::string error;
  std::error_code ec;
  fs::remove(log, ec);  // the log collects appends; start it empty
  auto child = ChildProcess::spawn(s, &error);
  if (!child) return fmt::format("plots skipped: cannot run {} ({}; pass --python)", o.python, error);
  if (!child->wait_for(std::chrono::seconds(300))) child->stop();
  const int status = child->exit_code().value_or(-1);
  if (status == 0) {
    fs::remove(log, ec);
    return fmt::format("plot: {}/compare.png", o.out);
  }
  if (status == kNoMatplotlib) {
    fs::remove(log, ec);
    return fmt::format(
        "plots skipped: {} has no matplotlib (apt-get install python3-matplotlib, or pass --python)",
        o.python);
  }
  return fmt::format("plots failed: {} {} ({}); see {}", o.python, script, child->describe_exit(), log);
}

}  // namespace

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
  c->add_option(
      "--out", o.out,
      "Also write the tables to this folder: compare.md, compare.json (every ratio and interval) and "
      "compare.png (scripts/plot_compare.py)");
  c->add_option("--python", o.python, "Python with matplotlib for compare.png")->capture_default_str();
  c->add_option("--plot-script", o.plot_script, "The plot script (default: scripts/plot_compare.py)");
  c->footer(
      "\nFigures (lower is better): p50_us, p99_us, app and wire bytes per event, requests per event, "
      "server\n"
      "and generator CPU per event, server memory per idle connection. Ratio = median of a result / median\n"
      "of the baseline; 95% interval: percentile bootstrap of the ratio of medians over the repetitions\n"
      "(2,000 resamples, fixed seed); faster/slower only when the whole interval is on one side of 1.\n"
      "\ncompare.png: one panel per figure, each point's ratio with its interval as error bars, a line at "
      "1,\n"
      "green faster/better, red slower/worse, grey no difference. Without matplotlib the plot is skipped\n"
      "(said on stderr) and the exit status is unchanged.\n"
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
  std::vector<Comparison> comparisons;
  for (std::size_t i = 1; i < sets.size(); ++i) {
    auto figures = compare_sets(sets[0], sets[i]);
    md += compare_markdown(sets[0], sets[i], figures);
    if (o.fail_if_slower_pct >= 0 && worse_beyond(figures, o.fail_if_slower_pct, &why)) fail = true;
    comparisons.push_back({sets[i].label, std::move(figures)});
  }
  fmt::print("{}", md);
  std::fflush(stdout);
  if (!o.out.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(o.out, ec);
    std::string error;
    if (!write_text_file(o.out + "/compare.md", md, &error) ||
        !write_text_file(o.out + "/compare.json", compare_json(sets[0].label, comparisons), &error)) {
      fmt::print(stderr, "rtbench compare: {}\n", error);
      return 2;
    }
    std::filesystem::remove(o.out + "/compare.png", ec);  // never leave an older run's plot beside new tables
    fmt::print(stderr, "rtbench compare: {}/compare.md, {}/compare.json; {}\n", o.out, o.out,
               make_compare_plot(o));
  }
  if (fail) {
    fmt::print(stderr, "rtbench compare: FAILED: {} (--fail-if-slower {})\n", why, o.fail_if_slower_pct);
    return 1;
  }
  return 0;
}

}  // namespace rtb
