#include "harness/runner/run_command.hpp"

#include <fmt/format.h>

#include "harness/runner/progress_display.hpp"
#include "harness/runner/suite_catalog.hpp"

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
      "\nExit status: 0 all runs passed; 1 a run failed or missed a threshold (with --strict: or a figure "
      "is\n"
      "suspect); 2 a usage error or nothing was run;\n"
      "128+N interrupted by signal N (children stopped, partial results kept).\n";
  return out;
}

}  // namespace

CLI::App* add_run_command(CLI::App& app, RunOptions& o) {
  CLI::App* run = app.add_subcommand(
      "run",
      "Run a benchmark suite: every point on all four transports, repeated, with results, plots and report");
  run->footer(suites_footer());
  run->add_option("-s,--suite", o.suite, "Suite to run (see below)");
  run->add_option("-o,--out", o.out_dir,
                  "Output folder (default: a fresh results/latest/<suite>-<UTC timestamp>/, git-ignored)");
  run->add_option("-n,--repeat", o.repeat, "Repetitions of every point and transport")->capture_default_str();
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
  if (o.suite.empty() && !o.list && !o.report_only) {
    fmt::print(stderr, "rtbench run: --suite is required (rtbench run --list shows them)\n");
    return 2;
  }
  o.argv = argv;
  return run_suite(o);
}

}  // namespace rtb
