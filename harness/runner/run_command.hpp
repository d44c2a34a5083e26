// The `rtbench run` subcommand: its options on the command line, forwarded to run_suite().
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "harness/runner/suite_runner.hpp"

namespace rtb {

CLI::App* add_run_command(CLI::App& app, RunOptions& options);
int run_run_command(RunOptions& options, const std::vector<std::string>& argv);

}  // namespace rtb
