#include "harness/demo/demo_command.hpp"

#include <fmt/format.h>

#include <cstdio>

#include "transports/net/loop.hpp"
#include "transports/net/shutdown_signals.hpp"
#include "transports/net/uv_handle.hpp"
#include "transports/server/worker.hpp"

namespace rtb {

namespace {

std::string page_url(const DemoOptions& o, int port) {
  // The page publishes nothing itself (rate=0): this process's publisher is the source.
  std::string host = o.server.listen.host == "0.0.0.0" ? "127.0.0.1" : o.server.listen.host;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return fmt::format("http://{}:{}/?channel={}&rate=0&payload={}&interval={}{}", host, port,
                     o.publisher.channel, o.publisher.payload_bytes, o.interval_ms,
                     o.presenter ? "&presenter=1" : "");
}

bool valid_channel(const std::string& c) {
  if (c.empty() || c.size() > 64) return false;
  for (char ch : c) {
    bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' ||
              ch == '_' || ch == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

CLI::App* add_demo_command(CLI::App& app, DemoOptions& options) {
  CLI::App* demo = app.add_subcommand("demo",
                                      "For talks: run the server and a publisher, and print the URL of the "
                                      "live page (a pane per transport: short poll, long poll, EventSource, "
                                      "WebSocket, HTTP streaming). Ctrl-C stops both. Exit codes: 0 "
                                      "stopped by a signal, 2 bad settings or cannot listen");
  demo->add_option("--host", options.server.listen.host, "Address to listen on")->capture_default_str();
  demo->add_option("--port", options.server.listen.port, "TCP port; 0 picks a free one")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  demo->add_option("--rate", options.publisher.rate, "Events per second the publisher sends (0: none)")
      ->check(CLI::Range(0.0, 100000.0))
      ->capture_default_str();
  demo->add_option("--payload", options.publisher.payload_bytes, "Bytes of event text (at least the stamp)")
      ->check(CLI::Range(std::size_t{0}, std::size_t{1} << 20))
      ->capture_default_str();
  demo->add_option("--channel", options.publisher.channel, "Channel published to (1-64 of A-Z a-z 0-9 . _ -)")
      ->capture_default_str();
  demo->add_option("--interval", options.interval_ms, "The page's short-poll interval in ms (in the URL)")
      ->check(CLI::Range(10, 60000))
      ->capture_default_str();
  demo->add_flag("--presenter", options.presenter, "The URL opens the large-type presenter layout");
  demo->add_option("--history", options.server.hub.history, "Events retained per channel for resume")
      ->check(CLI::Range(1, 10'000'000))
      ->capture_default_str();
  return demo;
}

int run_demo(DemoOptions options) {
  if (!valid_channel(options.publisher.channel)) {
    fmt::print(stderr, "rtbench demo: --channel must be 1-64 characters of A-Z a-z 0-9 . _ -\n");
    return 2;
  }
  Loop loop;
  Worker server(loop, options.server);
  int rc = server.start();
  if (rc != 0) {
    fmt::print(stderr, "rtbench demo: cannot listen on {}:{}: {} (choose another --port or --host)\n",
               options.server.listen.host, options.server.listen.port, uv_strerror(rc));
    return 2;
  }
  const int port = server.port();
  fmt::print("rtbench demo: server on http://{}:{}, publishing {}/s of {} B to channel \"{}\"\n",
             options.server.listen.host, port, options.publisher.rate, options.publisher.payload_bytes,
             options.publisher.channel);
  fmt::print("open: {}\n", page_url(options, port));
  fmt::print("Ctrl-C stops the server and the publisher.\n");
  std::fflush(stdout);

  options.publisher.host =
      options.server.listen.host == "0.0.0.0" || options.server.listen.host.find(':') != std::string::npos
          ? "127.0.0.1"
          : options.server.listen.host;
  options.publisher.port = static_cast<std::uint16_t>(port);
  DemoPublisher publisher(options.publisher);
  if (options.publisher.rate > 0) publisher.start();

  // First signal: the publisher stops and the server shuts down gracefully. Second: stop at once.
  ShutdownSignals signals(loop, [&] {
    publisher.stop();
    server.shutdown();
  });
  loop.run();
  publisher.stop();
  fmt::print(stderr, "rtbench demo: stopped ({} events published, {} failed, {} skipped)\n",
             publisher.published(), publisher.errors(), publisher.skipped());
  return 0;
}

}  // namespace rtb
