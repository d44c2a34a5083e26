#include "harness/scenario/merge_command.hpp"

#include <fmt/format.h>

#include <optional>
#include <utility>

#include "harness/metrics/json.hpp"
#include "harness/metrics/proc_sampler.hpp"
#include "harness/scenario/load_merge.hpp"
#include "harness/scenario/load_options.hpp"
#include "harness/scenario/load_report.hpp"
#include "harness/scenario/load_summary.hpp"
#include "harness/scenario/run_metadata.hpp"

namespace rtb {

namespace {

struct Input {
  LoadConfig config;
  LoadResult result;
};

// One `rtbench load --json` file: its result and the options it ran with.
std::optional<Input> read_input(const std::string& path, std::string* error) {
  const auto text = read_proc_file(path);  // reads any file to its end
  if (!text) {
    *error = fmt::format("{}: cannot read it", path);
    return std::nullopt;
  }
  std::string why;
  auto result = load_result_from_json(*text, &why);
  if (!result) {
    *error = fmt::format("{}: {}", path, why);
    return std::nullopt;
  }
  Input input;
  input.result = std::move(*result);
  auto doc = parse_json(*text, &why);
  if (doc && doc->contains("config") && (*doc)["config"].is_object()) {
    // The options as the run spelled them; what it derived from them (effective_*) is not an option.
    Json options = Json::object();
    for (const auto& [key, value] : (*doc)["config"].items()) {
      if (find_load_option(key) != nullptr) options[key] = value;
    }
    const LoadOptionScope scopes[] = {LoadOptionScope::kLoad, LoadOptionScope::kRun};
    if (!apply_load_options_json(options, input.config, scopes, &why)) {
      *error = fmt::format("{}: its config does not read: {}", path, why);
      return std::nullopt;
    }
  }
  return input;
}

}  // namespace

CLI::App* add_merge_command(CLI::App& app, MergeOptions& o) {
  CLI::App* m = app.add_subcommand(
      "merge",
      "Merge `rtbench load --json` results made on several hosts against one server into one result");
  m->add_option("results", o.inputs, "`rtbench load --json` files (same transport, rate, payload, duration)")
      ->required()
      ->expected(2, 1000);
  m->add_option("--csv", o.csv_path, "Append the merged row to this CSV file (header when new)");
  m->add_option("--json", o.json_path, "Write the merged result (with its histogram) to this JSON file");
  m->add_option("--summary", o.summary, "text (the load summary) or json (one line of result columns)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  m->footer(
      "\nCounters add up (clients, deliveries, losses, requests, bytes, errors); latency percentiles come\n"
      "from the HDR histograms merged slot by slot, so they are exact, not averaged; per-event figures are\n"
      "recomputed from the sums. The server, proxy, kernel and host figures are the first input's (each\n"
      "run measured its own host over its own window), as a warning in the result says.\n"
      "Inputs must share transport, rate, payload, header profile, warm-up and duration; a CSV row is not\n"
      "enough (it has no histogram). One generator host with several processes: rtbench load --procs K.\n"
      "\nExit status: 0 merged; 2 a usage error, an input that cannot be read, or inputs of different "
      "setups.\n");
  return m;
}

int run_merge_command(const MergeOptions& o, const std::vector<std::string>& argv) {
  auto fail = [](const std::string& why) {
    fmt::print(stderr, "rtbench merge: {}\n", why);
    return 2;
  };
  std::string error;
  for (const auto& [flag, path] :
       {std::pair<const char*, const std::string&>{"--csv", o.csv_path}, {"--json", o.json_path}}) {
    if (!path.empty() && !check_output_file(path, &error)) return fail(fmt::format("{}: {}", flag, error));
  }
  std::vector<LoadResult> parts;
  LoadConfig config;
  for (const auto& path : o.inputs) {
    auto input = read_input(path, &error);
    if (!input) return fail(error);
    if (parts.empty()) config = input->config;
    parts.push_back(std::move(input->result));
  }
  auto merged = merge_load_results(parts, MergeKind::kSeparateRuns, &error);
  if (!merged) return fail(error);
  config.clients = static_cast<std::uint32_t>(merged->clients);
  const LoadResult& r = *merged;
  if (o.summary == "json") {
    Json line = load_result_columns_json(r);
    line["warnings"] = r.warnings;
    line["suspects"] = r.suspects;
    fmt::print("{}\n", json_text(line, -1));
  } else {
    fmt::print("Merged {} results\n{}", parts.size(), load_summary(config, r));
  }
  if (!o.csv_path.empty() && !append_load_result_csv(o.csv_path, r, &error)) return fail("--csv: " + error);
  if (!o.json_path.empty()) {
    auto doc = parse_json(load_result_json(config, r, collect_run_metadata(argv)), &error);
    if (!doc) return fail("--json: " + error);
    (*doc)["tool"] = "rtbench merge";
    (*doc)["merged_from"] = o.inputs;
    if (!write_text_file(o.json_path, json_text(*doc, 2), &error)) return fail("--json: " + error);
  }
  return 0;
}

}  // namespace rtb
