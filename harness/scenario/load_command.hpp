// `rtbench load`: the command-line face of run_load (options, live progress, summary, output files, exit
// code).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "harness/scenario/load_config.hpp"

namespace rtb {

// What the options parse into: the load options (harness/scenario/load_options.hpp) straight into a
// LoadConfig, and the output files of this command.
struct LoadCommandOptions {
  LoadConfig config;
  std::string csv_path;
  std::string json_path;
  std::string spectrum_path;
  std::string hdr_log_path;
  bool quiet = false;
  bool strict = false;
  std::string summary = "text";  // text: the wrk-like summary; json: one JSON line on stdout          // a
                                 // suspect figure is a failure (exit 1)
  CLI::App* command = nullptr;   // to tell which options were given (the round-trip modes refuse some)
};

CLI::App* add_load_command(CLI::App& app, LoadCommandOptions& options);

// Exit status: 0 passed, 1 a threshold was missed (--max-errors, --max-p99-us, --max-lost), 2 the run could
// not take place or its output could not be written (the message says what to fix).
int run_load_command(LoadCommandOptions& options, const std::vector<std::string>& argv);

}  // namespace rtb
