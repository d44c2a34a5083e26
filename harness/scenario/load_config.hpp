// LoadConfig: everything one load run needs, independent of the command line, so `rtbench run` can build one
// in code and tests can run the generator in-process.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/scenario/header_profile.hpp"
#include "harness/scenario/transport_kind.hpp"

namespace rtb {

// kAuto: over a WebSocket when the subscribers are WebSocket ones (the client can send), else HTTP.
enum class PublishVia { kAuto, kHttp, kWebSocket };

enum class ProxyTunnel { kAuto, kAlways, kNever };

struct LoadConfig {
  std::string url = "http://127.0.0.1:8080";
  // https:// and wss:// URLs: the CA that signed the server certificate (empty: the system's), whether to
  // check it at all, and whether new connections resume the last session.
  std::string tls_ca;
  bool insecure = false;
  bool tls_resume = true;
  // TCP_INFO of every client socket at the window's edges (per-socket segment counts); off: host-wide only.
  bool socket_counts = true;
  // A forward proxy the clients go through (http://HOST:PORT): absolute-form request targets, a CONNECT
  // tunnel for WebSocket and TLS. Empty: straight to the server. The publisher always goes straight.
  std::string proxy;
  // Where the publisher posts (the server itself when --url is a reverse proxy in front of it, so the proxy
  // carries only the subscribers' traffic); empty: --url.
  std::string publish_url;
  // Which clients open a CONNECT tunnel through --proxy: kAuto those that upgrade (WebSocket) and every
  // https/wss one; kAlways all; kNever none (a WebSocket's Upgrade then goes as a forwarded request, which is
  // how a proxy that drops hop-by-hop headers breaks it).
  ProxyTunnel proxy_tunnel = ProxyTunnel::kAuto;
  TransportKind transport = default_transport();
  std::uint32_t clients = 100;
  double rate = 100;                 // events/s the publisher schedules; 0 = no events (the cost of idling)
  std::uint32_t payload_bytes = 64;  // event text size, stamp included
  std::string channel = "rtbench";
  HeaderProfile headers;
  std::uint32_t poll_interval_ms = 1000;
  bool connection_per_request = false;
  std::uint32_t longpoll_timeout_ms = 30'000;
  std::uint32_t request_timeout_ms = 60'000;
  std::uint64_t seed = 1;  // short-polling phases
  // Round-trip modes (--transport http / echo): requests or messages each connection keeps in flight.
  std::uint32_t pipeline = 1;
  // --transport http: an open loop of this many requests/s in all, spread evenly over the connections (each
  // sends every clients / request_rate s, shifted by its index); 0: the closed loop.
  double request_rate = 0;

  // Connect phase.
  std::vector<sockaddr_storage> sources;  // local addresses used round-robin; empty: the kernel chooses
  double connect_rate = 5000;             // new subscriber connections per second
  std::uint32_t connect_batch = 1000;     // connects outstanding at once; <= 4096 (somaxconn)
  double connect_timeout_s = 30;

  // Phases (seconds). Events belong to a phase by their intended send time.
  double warmup_s = 1;
  double duration_s = 10;
  double drain_s = 5;  // upper bound; the drain ends as soon as every subscriber has every measured event

  PublishVia publish_via = PublishVia::kAuto;
  std::uint64_t max_in_flight = 0;  // publishes awaiting an answer; 0 = max(1000, 10 s of rate)
  // A send later than this after its slot counts as late; 0: a tenth of the interval between events, at
  // least 2 ms (at 1 event/s a send 3 ms late is no sign of an overloaded publisher).
  double late_ms = 0;

  // Generator processes: the clients split over `procs` processes (each under its own descriptor limit),
  // one publisher, one measure window, results merged exactly (harness/scenario/procs_load_run.hpp).
  std::uint32_t procs = 1;
  // Words put before each generator process's command, "{i}" replaced by its index (e.g. "ip netns exec
  // gen{i}": one network namespace per process); empty: run it directly.
  std::string procs_exec;
  // Not an option of the table: set (hidden --proc-index) in a generator process of a --procs run, which
  // talks to its parent on stdin/stdout; -1 in every other run.
  int proc_index = -1;
  // Hidden --procs-sharing-sources K: the group's K processes bind the same source addresses, each its slice
  // of their ports; 0 otherwise.
  std::uint32_t procs_sharing_sources = 0;

  int server_pid = 0;  // 0: no server process figures
  int proxy_pid = 0;   // the intermediary in front of the server (nginx, HAProxy, squid); 0: none sampled
  int broker_pid = 0;  // the shared broker behind the server (redis-server); 0: none sampled

  // Pass/fail thresholds (exit status).
  std::uint64_t max_errors = 0;
  std::optional<double> max_p99_us;
  std::optional<std::uint64_t> max_lost;

  std::uint64_t effective_max_in_flight() const;
  PublishVia effective_publish_via() const;  // kHttp or kWebSocket
  double effective_late_ms() const;
};

// Checks ranges and combinations; "" when valid, else one sentence naming the option and what to change.
std::string validate_load_config(const LoadConfig& config);

// `--sources`: a comma-separated list of IP literals, or a count K meaning K extra loopback addresses
// 127.0.0.2 .. 127.0.0.(K+1) used beside 127.0.0.1, so K+1 x ~28k ports reach one server port.
std::optional<std::vector<sockaddr_storage>> parse_sources(std::string_view text, std::string* error);

std::optional<PublishVia> parse_publish_via(std::string_view text);
std::string_view publish_via_name(PublishVia via);

}  // namespace rtb
