// `rtbench compare`: the command-line face of compare.hpp.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace rtb {

struct CompareOptions {
  std::vector<std::string> inputs;  // the first is the baseline
  double fail_if_slower_pct = -1;   // < 0: never fail
  std::string out;                  // also write compare.md, compare.json and compare.png here
  std::string python = "/usr/bin/python3";
  std::string plot_script;  // empty: scripts/plot_compare.py of the source tree
};

CLI::App* add_compare_command(CLI::App& app, CompareOptions& options);
// Exit status: 0 compared (and nothing worse beyond --fail-if-slower); 1 a figure worse beyond it; 2 usage.
int run_compare_command(const CompareOptions& options);

}  // namespace rtb
