// `rtbench demo`: the server (as `rtbench serve`) plus a publisher at a chosen rate, and the URL of the demo
// page with those settings; Ctrl-C stops both.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "harness/demo/demo_publisher.hpp"
#include "transports/server/server_config.hpp"

namespace rtb {

struct DemoOptions {
  ServerConfig server;
  DemoPublisherConfig publisher;
  int interval_ms = 1000;  // the page's short-poll interval, put in the printed URL
  bool presenter = false;
};

CLI::App* add_demo_command(CLI::App& app, DemoOptions& options);
// 0 after Ctrl-C (or SIGTERM), 2 for a bad channel or when the server cannot listen.
int run_demo(DemoOptions options);

}  // namespace rtb
