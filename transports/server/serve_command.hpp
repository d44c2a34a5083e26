// `rtbench serve`: the command-line face of Server (options, signals, graceful exit).
#pragma once

#include <CLI/CLI.hpp>

#include "transports/server/server_config.hpp"

namespace rtb {

// Registers the subcommand; `run` is set to the function main() calls when it was chosen.
CLI::App* add_serve_command(CLI::App& app, ServerConfig& config);
int run_serve(const ServerConfig& config);

}  // namespace rtb
