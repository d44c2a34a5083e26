// `rtbench merge`: one result from `rtbench load --json` files made on several hosts against one server
// (load_merge.hpp, MergeKind::kSeparateRuns).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

namespace rtb {

struct MergeOptions {
  std::vector<std::string> inputs;
  std::string csv_path;
  std::string json_path;
  std::string summary = "text";
};

CLI::App* add_merge_command(CLI::App& app, MergeOptions& options);
// Exit status: 0 merged; 2 usage, an input that cannot be read, or inputs of different setups.
int run_merge_command(const MergeOptions& options, const std::vector<std::string>& argv);

}  // namespace rtb
