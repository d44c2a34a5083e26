// rtbench: the command line (serve, load, run, compare, merge, demo).
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "harness/demo/demo_command.hpp"
#include "harness/runner/compare_command.hpp"
#include "harness/runner/run_command.hpp"
#include "harness/scenario/load_command.hpp"
#include "harness/scenario/merge_command.hpp"
#include "harness/scenario/run_metadata.hpp"
#include "transports/server/serve_command.hpp"

int main(int argc, char** argv) {
  CLI::App app{"rtbench: short polling, long polling, SSE and WebSocket, measured on one event loop"};
  app.require_subcommand(1);
  app.set_version_flag("--version", fmt::format("rtbench {}", rtb::rtbench_version()));

  rtb::ServerConfig serve_config;
  CLI::App* serve = rtb::add_serve_command(app, serve_config);
  rtb::LoadCommandOptions load_options;
  CLI::App* load = rtb::add_load_command(app, load_options);
  rtb::RunOptions run_options;
  CLI::App* run = rtb::add_run_command(app, run_options);
  rtb::CompareOptions compare_options;
  CLI::App* compare = rtb::add_compare_command(app, compare_options);
  rtb::MergeOptions merge_options;
  CLI::App* merge = rtb::add_merge_command(app, merge_options);
  rtb::DemoOptions demo_options;
  CLI::App* demo = rtb::add_demo_command(app, demo_options);

  // CLI11's own exit codes (105-114) are replaced by this project's: 0 for --help and --version, 2 for
  // every usage error, so scripts can tell a usage error (2) from a failed check (1).
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (serve->parsed()) return rtb::run_serve(serve_config);
  if (load->parsed()) return rtb::run_load_command(load_options, std::vector<std::string>(argv, argv + argc));
  if (compare->parsed()) return rtb::run_compare_command(compare_options);
  if (merge->parsed())
    return rtb::run_merge_command(merge_options, std::vector<std::string>(argv, argv + argc));
  if (run->parsed()) return rtb::run_run_command(run_options, std::vector<std::string>(argv, argv + argc));
  if (demo->parsed()) return rtb::run_demo(demo_options);
  return 1;
}
