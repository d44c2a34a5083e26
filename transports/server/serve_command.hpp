// `rtbench serve`: the command-line face of Worker (options, signals, graceful exit).
#pragma once

#include <CLI/CLI.hpp>

#include "transports/server/server_config.hpp"

namespace rtb {

// Registers the subcommand; `run` is set to the function main() calls when it was chosen.
CLI::App* add_serve_command(CLI::App& app, ServerConfig& config);
// Exit status: 0 stopped by a signal; 1 a worker of --workers kept dying; 2 cannot start (--host does not
// resolve, the port is taken, Redis is not there, --workers without --broker, ...).
int run_serve(const ServerConfig& config);

}  // namespace rtb
