// SuiteRunner: `rtbench run`: verifies a fresh server, runs every point of a suite on its transports and
// repetitions (a fresh pinned server and a pinned generator process per run), then writes results.csv,
// metadata.json, merged spectra, the plots and report.md into the output folder.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace rtb {

struct RunOptions {
  std::string suite;
  std::string out_dir;  // empty: a fresh results/latest/<suite>-<UTC time>
  int repeat = 3;
  std::string binary;  // rtbench to spawn for serve and load; empty: this executable
  bool force = false;  // overwrite a committed reference folder
  bool strict = false;
  std::string suite_file;  // --suite-file: a suite as JSON instead of --suite
  std::string show_suite;  // --show-suite NAME: print it as a suite file and exit
  std::string transports;  // --transports ws,sse: only these
  std::string points;      // --points TAG,TAG: only these
  std::string url;         // --url: run against this server instead of starting one per run
  bool repeat_given = false;
  const CLI::Option* repeat_option = nullptr;  // --repeat on the command line (beats a suite file's "repeat")
                                               // // a suspect figure fails the suite (exit 1)
  bool report_only = false;                    // re-make plots and report.md from out_dir's results.csv
  bool no_plots = false;
  bool list = false;  // print the suites and their estimated durations
  std::string python = "/usr/bin/python3";
  std::string plot_script;        // empty: scripts/plot.py of the source tree
  std::vector<std::string> argv;  // the exact command, for metadata.json
};

// Exit status: 0 every run produced a result and passed; 1 some run failed or missed a threshold (the
// results folder is complete otherwise); 2 nothing was run (unknown suite, suite over the machine's limits,
// refused folder, failed verify step); 128 + signal when interrupted (children stopped, partial results
// written).
int run_suite(RunOptions options);

}  // namespace rtb
