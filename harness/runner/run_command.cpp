#include "harness/runner/run_command.hpp"

#include <fmt/format.h>

#include "harness/metrics/json.hpp"
#include "harness/runner/progress_display.hpp"
#include "harness/runner/suite_catalog.hpp"
#include "harness/runner/suite_file.hpp"

namespace rtb {

namespace {

std::string suites_footer() {
  std::string out = "\nSuites (estimated time at --repeat 3, start-up included):\n";
  for (const auto& s : suite_catalog()) {
    out +=
        fmt::format("  {:<14} {:>8}  {}\n", s.name, format_duration(estimate_suite_seconds(s, 3)), s.purpose);
  }
  out +=
      "\nEach run gets a fresh `rtbench serve` pinned to CPU 0 and an `rtbench load` pinned to CPU 1 (when\n"
      "there are two). Output folder: results.csv (one row per run), metadata.json, points/*.json,\n"
      "spectra/*.hgrm, logs/, plots/*.png|svg (scripts/plot.py with /usr/bin/python3) and report.md.\n"
      "A folder with committed files is never overwritten without --force.\n"
      "\nExit status: 0 all runs passed; 1 a run failed or missed a threshold, or a failure-table fix was\n"
      "not verified (the broken setups themselves fail by design), or with --strict a figure is suspect\n"
      "(runs of a proxy that is not installed or does not start are skipped, said in the summary and the\n"
      "report, not failed);\n"
      "2 a usage error or nothing was run;\n"
      "128+N interrupted by signal N (children stopped, partial results kept).\n"
      "\nEnvironment: RTB_NGINX_BIN, RTB_HAPROXY_BIN, RTB_SQUID_BIN: the proxy binaries the intermediary\n"
      "points run (default /usr/sbin/nginx, /usr/sbin/haproxy, /usr/sbin/squid).\n";
  return out;
}

}  // namespace

CLI::App* add_run_command(CLI::App& app, RunOptions& o) {
  CLI::App* run = app.add_subcommand(
      "run",
      "Run a benchmark suite: every point on every transport, repeated, with results, plots and report");
  run->footer(suites_footer());
  run->add_option("-s,--suite", o.suite, "Suite to run (see below)");
  run->add_option("--suite-file", o.suite_file,
                  "Run the suite this JSON file describes (--show-suite prints a built-in one in that form)");
  run->add_option("--show-suite", o.show_suite, "Print suite NAME as a suite file (JSON) and exit");
  run->add_option("--transports", o.transports, "Run only these transports of the suite, e.g. ws,sse");
  run->add_option(
      "--url", o.url,
      "Run against this server (http://HOST:PORT, any rtbench-compatible one) instead of starting "
      "one per run; server CPU and memory are then not measured");
  run->add_option("--points", o.points, "Run only these points of the suite (tags, comma-separated)");
  run->add_option("-o,--out", o.out_dir,
                  "Output folder (default: a fresh results/latest/<suite>-<UTC timestamp>/, git-ignored)");
  o.repeat_option =
      run->add_option("-n,--repeat", o.repeat, "Repetitions of every point and transport (1-100)")
          ->capture_default_str();
  run->add_option("--bin", o.binary, "rtbench binary to spawn for serve and load (default: this one)");
  run->add_flag("--force", o.force, "Overwrite an output folder that holds committed reference results");
  run->add_flag("--strict", o.strict,
                "Exit 1 when a figure contradicts its model or a second counter (listed under \"Suspect\")");
  run->add_flag("--report-only", o.report_only, "Re-make plots and report.md from --out's results.csv");
  run->add_flag("--no-plots", o.no_plots, "Do not run the plot script");
  run->add_flag("--list", o.list, "List the suites with their run counts and estimated durations");
  run->add_option("--python", o.python, "Python with matplotlib for the plots")->capture_default_str();
  run->add_option("--plot-script", o.plot_script,
                  "Plot script (default: scripts/plot.py of the source tree)");
  return run;
}

int run_run_command(RunOptions& o, const std::vector<std::string>& argv) {
  if (!o.show_suite.empty()) {
    const Suite* suite = find_suite(o.show_suite);
    if (suite == nullptr) {
      fmt::print(stderr, "rtbench run: --show-suite: no suite '{}' (rtbench run --list shows them)\n",
                 o.show_suite);
      return 2;
    }
    fmt::print("{}\n", json_text(suite_to_json(*suite)));
    return 0;
  }
  if (!o.suite.empty() && !o.suite_file.empty()) {
    fmt::print(stderr, "rtbench run: give --suite or --suite-file, not both\n");
    return 2;
  }
  if (o.suite.empty() && o.suite_file.empty() && !o.list && !o.report_only) {
    fmt::print(stderr, "rtbench run: --suite is required (rtbench run --list shows them), or --suite-file\n");
    return 2;
  }
  if (o.repeat_option != nullptr) o.repeat_given = o.repeat_option->count() > 0;
  o.argv = argv;
  return run_suite(o);
}

}  // namespace rtb
