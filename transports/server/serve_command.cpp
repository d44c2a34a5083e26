#include "transports/server/serve_command.hpp"

#include <fmt/format.h>
#include <sys/resource.h>

#include <cstdio>

#include "transports/net/loop.hpp"
#include "transports/net/shutdown_signals.hpp"
#include "transports/net/uv_handle.hpp"
#include "transports/server/server.hpp"
#include "transports/table/transport_table.hpp"

namespace rtb {

namespace {

std::uint64_t default_max_connections() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 0;
  // Keep some descriptors for the listener, logs and libuv's own reserve.
  return limit.rlim_cur > 200 ? limit.rlim_cur - 100 : limit.rlim_cur;
}

}  // namespace

CLI::App* add_serve_command(CLI::App& app, ServerConfig& config) {
  CLI::App* serve = app.add_subcommand(
      "serve", "Run the server: /poll, /longpoll, /sse, /ws, /echo, /publish and /stats on one event loop");
  config.listen.max_connections = default_max_connections();
  serve->add_option("--host", config.listen.host, "Address to listen on (IPv4 or IPv6 literal)")
      ->capture_default_str();
  serve->add_option("--port", config.listen.port, "TCP port; 0 picks a free one and prints it")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  serve
      ->add_option(
          "--max-connections", config.listen.max_connections,
          "Open connections beyond this: their request gets 503 (an /sse request a bare close) and they are "
          "closed (default: open-file limit - 100)")
      ->capture_default_str();
  serve->add_option("--backlog", config.listen.backlog, "listen() backlog (the kernel caps it at somaxconn)")
      ->capture_default_str();
  serve
      ->add_option("--max-header-bytes", config.http.max_header_bytes,
                   "Request line + headers; beyond -> 431")
      ->check(CLI::Range(256, 1 << 20))
      ->capture_default_str();
  serve->add_option("--max-headers", config.http.max_headers, "Header count; beyond -> 431")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  serve
      ->add_option("--max-body-bytes", config.http.max_body_bytes,
                   "Request body (a published message); beyond -> 413")
      ->check(CLI::Range(1, 1 << 30))
      ->capture_default_str();
  serve
      ->add_option("--header-timeout-ms", config.http.header_timeout_ms,
                   "A request head must arrive within this, else 408 and close (slowloris)")
      ->check(CLI::Range(100, 3'600'000))
      ->capture_default_str();
  serve
      ->add_option("--keep-alive-timeout-ms", config.http.keep_alive_timeout_ms,
                   "Idle keep-alive connections are closed after this")
      ->check(CLI::Range(100, 3'600'000))
      ->capture_default_str();
  serve->add_option("--history", config.hub.history, "Events retained per channel for since/resume")
      ->check(CLI::Range(1, 10'000'000))
      ->capture_default_str();
  serve->add_option("--max-channels", config.hub.max_channels, "Channels the server will create")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  serve->add_option("--max-batch", config.batch.max_events, "Events in one batch answer (/poll, /longpoll)")
      ->check(CLI::Range(1, 1'000'000))
      ->capture_default_str();
  serve
      ->add_option("--max-queued-bytes", config.listen.connection_limits.max_queued_bytes,
                   "Per-connection send queue bound; a subscriber past it is dropped (SSE: closed, WS: 1008)")
      ->check(CLI::Range(4096, 1 << 30))
      ->capture_default_str();
  serve
      ->add_option("--close-linger-ms", config.listen.connection_limits.close_linger_ms,
                   "A closing connection whose peer does not read its last bytes is closed anyway after this "
                   "(0: wait for ever)")
      ->capture_default_str();
  // Hidden (no group): a test hook, not a feature.
  serve
      ->add_flag("--enable-test-hooks", config.enable_test_hooks,
                 "Test routes such as POST /debug/stall?ms=N")
      ->group("");
  serve
      ->add_option("--shutdown-grace-ms", config.shutdown_grace_ms,
                   "On SIGINT/SIGTERM, time given to open requests and streams before closing them")
      ->capture_default_str();
  // Each transport adds its own options (--sse-heartbeat-ms, --ws-max-message-bytes, ...).
  for (const TransportModule* module : transport_table()) {
    if (module->add_serve_options != nullptr) module->add_serve_options(*serve, config.transports);
  }
  return serve;
}

int run_serve(const ServerConfig& config) {
  Loop loop;
  Server server(loop, config);
  int rc = server.start();
  if (rc != 0) {
    fmt::print(stderr, "rtbench serve: cannot listen on {}:{}: {} (choose another --port or --host)\n",
               config.listen.host, config.listen.port, uv_strerror(rc));
    return 1;
  }
  fmt::print("rtbench serve: listening on http://{}:{}\n", config.listen.host, server.port());
  std::fflush(stdout);

  // First signal: graceful shutdown. Second: stop at once.
  ShutdownSignals signals(loop, [&server] { server.shutdown(); });
  loop.run();
  fmt::print(stderr, "rtbench serve: stopped\n");
  return 0;
}

}  // namespace rtb
