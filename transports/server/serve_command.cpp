#include "transports/server/serve_command.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netdb.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "transports/net/loop.hpp"
#include "transports/net/uv_handle.hpp"
#include "transports/redis/redis_probe.hpp"
#include "transports/redis/redis_url.hpp"
#include "transports/server/supervisor.hpp"
#include "transports/server/worker_process.hpp"
#include "transports/table/transport_table.hpp"

namespace rtb {

namespace {

std::uint64_t default_max_connections() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 0;
  // Keep some descriptors for the listener, logs and libuv's own reserve.
  return limit.rlim_cur > 200 ? limit.rlim_cur - 100 : limit.rlim_cur;
}

// The address to listen on for --host: the text itself when it is an IPv4 or IPv6 literal, else what the name
// resolves to, once, at start (a listener binds one address): the first address getaddrinfo gives that this
// host can bind, or the first at all when none can (the listen then says why). nullopt with the resolver's
// reason when the name does not resolve.
std::optional<std::string> listen_address(const std::string& host, std::string* why) {
  in_addr v4{};
  in6_addr v6{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1 || inet_pton(AF_INET6, host.c_str(), &v6) == 1) return host;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &found); rc != 0) {
    *why = gai_strerror(rc);
    return std::nullopt;
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owner(found, &freeaddrinfo);
  std::optional<std::string> first;
  for (const addrinfo* a = found; a != nullptr; a = a->ai_next) {
    char text[NI_MAXHOST];
    if (getnameinfo(a->ai_addr, a->ai_addrlen, text, sizeof text, nullptr, 0, NI_NUMERICHOST) != 0) continue;
    if (!first) first = text;
    // A family the host lacks (::1 with IPv6 disabled) fails here; port 0 keeps the probe off every port.
    const int fd = ::socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    sockaddr_storage probe{};
    std::memcpy(&probe, a->ai_addr, a->ai_addrlen);
    const bool bindable = ::bind(fd, reinterpret_cast<const sockaddr*>(&probe), a->ai_addrlen) == 0;
    ::close(fd);
    if (bindable) return std::string(text);
  }
  if (!first) *why = "it has no address";
  return first;
}

}  // namespace

CLI::App* add_serve_command(CLI::App& app, ServerConfig& config) {
  CLI::App* serve = app.add_subcommand(
      "serve",
      fmt::format("Run the server: {}, /echo, /publish and /stats on one event loop", transport_paths()));
  config.listen.max_connections = default_max_connections();
  serve
      ->add_option("--host", config.listen.host,
                   "Address to listen on: an IPv4 or IPv6 address (0.0.0.0 or :: for every interface) or a "
                   "name, resolved once at start (localhost)")
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
  serve
      ->add_option(
          "--fetch-timeout-ms", config.hub.fetch_timeout_ms,
          "A resuming client waits this long for history a shared broker keeps beyond this process's "
          "--history window, then the ids are named as a gap (the built-in broker keeps none)")
      ->check(CLI::Range(10, 600'000))
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
  auto* cert =
      serve->add_option("--tls-cert", config.tls.cert_file,
                        "Serve https:// and wss:// with this PEM certificate (then any intermediates); "
                        "needs --tls-key");
  auto* key = serve->add_option("--tls-key", config.tls.key_file, "The certificate's PEM private key");
  cert->needs(key);
  key->needs(cert);
  serve
      ->add_option("--tls-port", config.tls_port,
                   "Serve TLS on this port and plain HTTP on --port (default: TLS on --port alone; 0 picks a "
                   "free one)")
      ->check(CLI::Range(0, 65535))
      ->needs(cert);
  serve->add_option("--tls-tickets", config.tls.tickets, "Session resumption by stateless tickets (on|off)")
      ->transform(CLI::CheckedTransformer(std::map<std::string, bool>{{"on", true}, {"off", false}}))
      ->default_str("on");
  serve
      ->add_option("--tls-release-buffers", config.tls.release_buffers,
                   "Free OpenSSL's 2 x 16 KiB record buffers while a connection is idle (on|off)")
      ->transform(CLI::CheckedTransformer(std::map<std::string, bool>{{"on", true}, {"off", false}}))
      ->default_str("on");
  // Hidden (no group): a test hook, not a feature.
  serve
      ->add_flag("--enable-test-hooks", config.enable_test_hooks,
                 "Test routes such as POST /debug/stall?ms=N")
      ->group("");
  serve
      ->add_option("--broker", config.broker_url,
                   "Where ids, history and fan-out live: empty for this process alone, or "
                   "redis://HOST[:PORT][/PREFIX] (Redis 7) to share channels between workers and servers")
      ->check([](const std::string& url) {
        std::string why;
        return url.empty() || parse_redis_url(url, &why) ? std::string() : why;
      });
  serve
      ->add_option(
          "--workers", config.workers,
          "Worker processes, each a whole server on its own loop, sharing the port (SO_REUSEPORT) and "
          "the channels (needs --broker); a worker that dies is restarted")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  serve
      ->add_option("--broker-timeout-ms", config.broker_timeout_ms,
                   "A broker command unanswered this long: the broker counts as down (publish answers 503, "
                   "resumes name a gap) and is reconnected")
      ->check(CLI::Range(50, 60'000))
      ->capture_default_str();
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

int run_serve(const ServerConfig& given) {
  ServerConfig config = given;
  std::string why;
  const std::optional<std::string> address = listen_address(given.listen.host, &why);
  if (!address) {
    fmt::print(stderr,
               "rtbench serve: --host {}: cannot resolve this name ({}); pass an IPv4 or IPv6 address "
               "(127.0.0.1, ::1, 0.0.0.0 for every interface) or a name that resolves (localhost)\n",
               given.listen.host, why);
    return 2;
  }
  config.listen.host = *address;
  if (*address != given.listen.host) {
    fmt::print(stderr, "rtbench serve: --host {} resolved to {}\n", given.listen.host, *address);
  }
  std::optional<RedisUrl> broker;
  if (!config.broker_url.empty()) {
    broker = parse_redis_url(config.broker_url, &why);
    if (!broker) {
      fmt::print(stderr, "rtbench serve: {}\n", why);
      return 2;
    }
    if (std::string down = probe_redis(*broker, std::chrono::milliseconds(config.broker_timeout_ms));
        !down.empty()) {
      fmt::print(stderr, "rtbench serve: {}\n", down);
      return 2;
    }
  }
  if (config.workers > 1) {
    if (!broker) {
      fmt::print(
          stderr,
          "rtbench serve: --workers {} needs a shared broker: add --broker redis://HOST:PORT (each worker "
          "has its own hub, so without one a client would see only the events published through its "
          "own worker)\n",
          config.workers);
      return 2;
    }
    return run_supervisor(config, broker, config.workers);
  }
  return run_worker(config, broker, nullptr);
}

}  // namespace rtb
