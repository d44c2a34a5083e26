// rtbench: the command line (serve, load, run).
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "transports/server/serve_command.hpp"

int main(int argc, char** argv) {
  CLI::App app{"rtbench: short polling, long polling, SSE and WebSocket, measured on one event loop"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "rtbench 0.1.0");

  rtb::ServerConfig serve_config;
  CLI::App* serve = rtb::add_serve_command(app, serve_config);

  CLI11_PARSE(app, argc, argv);
  if (serve->parsed()) return rtb::run_serve(serve_config);
  return 1;
}
