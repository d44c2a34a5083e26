#include "harness/runner/suite_catalog.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "harness/scenario/header_profile.hpp"
#include "harness/scenario/transport_kind.hpp"

namespace rtb {

namespace {

HeaderProfile browser_headers() {
  HeaderProfile h;
  h.kind = HeaderProfileKind::kBrowser;
  return h;
}

// The defaults every suite starts from; a point changes what it is about.
LoadConfig base_load(double warmup_s, double duration_s) {
  LoadConfig c;
  c.clients = 100;
  c.rate = 1;
  c.payload_bytes = 64;
  c.poll_interval_ms = 1000;
  c.warmup_s = warmup_s;
  c.duration_s = duration_s;
  c.drain_s = 3;
  return c;
}

// A short poller needs up to one interval after the last event before it has everything.
void fit_drain(LoadConfig& c) {
  c.drain_s = std::max(2.0, 2.0 * c.poll_interval_ms / 1000.0 + 0.5);
}

// Above ~500 events/s a 1 s poll would bring back more than the server's default batch (1,000 events) or
// outrun its history (4,096); these let a poll catch up in one answer, as a real deployment would configure.
const std::vector<std::string> kHighRateServer = {"--history", "65536", "--max-batch", "10000"};

// The points about the polling interval or a connection per request concern only the transports that poll.
std::vector<TransportKind> interval_polling_transports() {
  std::vector<TransportKind> out;
  for (TransportKind t : all_transports()) {
    if (polls_on_interval(t)) out.push_back(t);
  }
  return out;
}

SuitePoint make_point(std::string tag, LoadConfig load, std::string note = {},
                      std::vector<std::string> server_args = {}) {
  SuitePoint p;
  p.tag = std::move(tag);
  p.note = std::move(note);
  fit_drain(load);
  p.load = std::move(load);
  p.server_args = std::move(server_args);
  return p;
}

Suite tiny_suite() {
  Suite s;
  s.name = "tiny";
  s.purpose = "Smoke test: every transport end to end with a few clients in a few seconds.";
  LoadConfig c = base_load(0.5, 1);
  c.clients = 5;
  c.rate = 20;
  c.poll_interval_ms = 100;
  s.points.push_back(make_point("c5-r20", c, "5 clients, 20 events/s, short polls every 100 ms"));
  return s;
}

Suite quick_suite() {
  Suite s;
  s.name = "quick";
  s.purpose =
      "The argument in under two minutes: 1,000 browser-like clients, one event per second, polls every "
      "second (the Kaazing setting) on every transport: bytes and requests per event, latency, memory.";
  LoadConfig c = base_load(1, 5);
  c.clients = 1000;
  c.rate = 1;
  c.headers = browser_headers();
  s.points.push_back(
      make_point("c1000-browser", c, "1,000 clients, 1 event/s, browser headers, poll every 1 s"));
  return s;
}

// Connections per process in the scale suite: under the 20,000 descriptors one process may hold, with room.
constexpr std::uint32_t kScalePerProcess = 18'000;
// Connections per loopback source address: a third of its 28,232 ephemeral ports. connect() looks for a free
// port from a random start, so near a full range (TIME_WAIT included) each connect costs a long search: at
// 90% occupancy the generator connected 500 clients a second instead of 15,000.
constexpr std::uint32_t kPerSourceAddress = 10'000;

Suite kaazing_suite() {
  Suite s;
  s.name = "kaazing";
  s.purpose =
      "The 2010 Kaazing/websocket.org overhead table measured instead of computed: 1,000, 10,000 and 100,000 "
      "clients, one event per second, polls every second; minimal, browser-like and Chromium's measured "
      "request headers.";
  s.notes = {
      "100,000 clients: the generator runs as 6 processes (--procs) and the server as 7 workers sharing a "
      "Redis "
      "broker the runner starts (one process holds at most ~19,900 connections here); at one poll per client "
      "per second that is 100,000 requests a second on the server's one core, so effective_poll_interval_ms "
      "says how often the clients really polled.",
      "Payload 32 B: the smallest event that carries the generator's send stamp (the 2010 table counted "
      "2-byte WebSocket frames with no payload).",
      "The chromium points send the head Chromium really sent for a fetch() poll (recorded by the browser "
      "tests, results/browser/chromium-heads.txt) on every HTTP transport."};
  for (std::uint32_t clients : {1000u, 10000u, 100000u}) {
    for (HeaderProfileKind profile :
         {HeaderProfileKind::kMinimal, HeaderProfileKind::kBrowser, HeaderProfileKind::kChromium}) {
      LoadConfig c = base_load(2, 10);
      c.clients = clients;
      c.rate = 1;
      c.payload_bytes = 32;
      c.headers.kind = profile;
      std::vector<std::string> server_args;
      if (clients > kScalePerProcess) {
        c.procs = (clients + kScalePerProcess - 1) / kScalePerProcess;
        c.sources = *parse_sources(std::to_string((clients + kPerSourceAddress - 1) / kPerSourceAddress - 1),
                                   nullptr);
        c.connect_rate = 20'000;
        c.connect_batch = 2'000;
        // 100,000 polls a second saturate the server's core, which Redis shares: its answers take longer
        // than the default 1 s that declares the broker down (publishes then answer 503).
        server_args = {"--workers",
                       std::to_string((clients / 10 * 11 + kScalePerProcess - 1) / kScalePerProcess),
                       "--broker-timeout-ms", "10000"};
      }
      const std::string name = c.headers.name();
      SuitePoint p =
          make_point(fmt::format("c{}-{}", clients, name), c,
                     fmt::format("{} clients, 1 event/s, poll every 1 s, {} headers{}", clients, name,
                                 profile == HeaderProfileKind::kChromium ? " (measured from Chromium)" : ""),
                     server_args);
      // A saturated server answers seconds late (p99 3-7 s at 100,000): the drain waits for it, and the
      // last clients connect while the first ones already poll.
      if (clients > kScalePerProcess) {
        p.load.drain_s = 15;
        p.load.connect_timeout_s = 120;
      }
      s.points.push_back(std::move(p));
    }
  }
  return s;
}

Suite notifications_suite() {
  Suite s;
  s.name = "notifications";
  s.purpose = "Many idle clients and rare pushes: what waiting costs per delivered notification.";
  s.notes = {
      "Polls every 2 s and an event every 2 s keep the window short; real apps poll every 30-60 s, "
      "which only moves more of the polling cost onto requests that bring nothing."};
  for (std::uint32_t clients : {2000u, 10000u}) {
    LoadConfig c = base_load(2, 16);
    c.clients = clients;
    c.rate = 0.5;
    c.payload_bytes = 200;
    c.poll_interval_ms = 2000;
    c.headers = browser_headers();
    s.points.push_back(
        make_point(fmt::format("c{}", clients), c,
                   fmt::format("{} clients, one 200 B notification every 2 s, poll every 2 s", clients)));
  }
  return s;
}

Suite feed_suite() {
  Suite s;
  s.name = "feed";
  s.purpose = "High-rate broadcast (a ticker or live feed): throughput, batching, CPU per 1,000 events.";
  const std::pair<std::uint32_t, double> configs[] = {{100, 100}, {1000, 100}, {100, 1000}};
  for (auto [clients, rate] : configs) {
    LoadConfig c = base_load(2, 8);
    c.clients = clients;
    c.rate = rate;
    c.payload_bytes = 256;
    s.points.push_back(make_point(
        fmt::format("c{}-r{}", clients, rate), c,
        fmt::format("{} clients, {} events/s of 256 B, poll every 1 s", clients, rate), kHighRateServer));
  }
  return s;
}

Suite chat_suite() {
  Suite s;
  s.name = "chat";
  s.purpose = "A chat room: every client posts now and then and everyone receives every message.";
  s.notes = {
      "The generator has one publisher: N clients posting r messages/s each are modelled as N "
      "subscribers and one publisher at N x r messages/s (the server does the same fan-out work)."};
  const std::pair<std::uint32_t, double> configs[] = {{100, 0.1}, {500, 0.1}};
  for (auto [clients, per_client] : configs) {
    LoadConfig c = base_load(2, 10);
    c.clients = clients;
    c.rate = clients * per_client;
    c.payload_bytes = 100;
    c.headers = browser_headers();
    s.points.push_back(
        make_point(fmt::format("c{}", clients), c,
                   fmt::format("{} members posting every {:.0f} s each = {:.0f} messages/s to everyone",
                               clients, 1 / per_client, c.rate)));
  }
  return s;
}

Suite game_suite() {
  Suite s;
  s.name = "game";
  s.purpose = "Game state at tick rate: small messages at 20 and 60 Hz, polling at the tick.";
  s.notes = {
      "Server-to-client ticks only: the generator publishes over one connection, so the players' "
      "inputs (client to server) are not modelled.",
      "Short polling polls at the tick rate (50 ms, 17 ms): anything slower misses ticks' freshness."};
  for (std::uint32_t hz : {20u, 60u}) {
    LoadConfig c = base_load(2, 8);
    c.clients = 100;
    c.rate = hz;
    c.payload_bytes = 48;
    c.poll_interval_ms = (1000 + hz / 2) / hz;
    s.points.push_back(
        make_point(fmt::format("hz{}", hz), c,
                   fmt::format("100 players, {} ticks/s of 48 B, poll every {} ms", hz, c.poll_interval_ms)));
  }
  return s;
}

Suite progress_suite() {
  Suite s;
  s.name = "progress";
  s.purpose = "One client following a job's log: a quiet phase and a burst of lines.";
  s.notes = {
      "The generator publishes at a constant rate, so the burst is its own point (1,000 lines/s) beside "
      "the quiet one (10 lines/s) rather than a rate that changes within a run."};
  for (double rate : {10.0, 1000.0}) {
    LoadConfig c = base_load(1, 8);
    c.clients = 1;
    c.rate = rate;
    c.payload_bytes = 120;
    c.headers = browser_headers();
    s.points.push_back(make_point(fmt::format("r{}", rate), c,
                                  fmt::format("1 client, {} log lines/s of 120 B, poll every 1 s", rate),
                                  kHighRateServer));
  }
  return s;
}

Suite idle_suite() {
  Suite s;
  s.name = "idle";
  s.purpose = "The cost of nothing happening: polling requests, long-poll renewals, heartbeats, memory.";
  s.notes = {
      "Keep-alive traffic is scaled to fit a 10 s window: polls every 1 s, long polls time out after "
      "5 s, SSE heartbeats and WebSocket pings every 5 s (defaults: 30 s, 15 s, 30 s); per-second costs "
      "scale down linearly with those intervals."};
  for (std::uint32_t clients : {1000u, 10000u}) {
    LoadConfig c = base_load(1, 10);
    c.clients = clients;
    c.rate = 0;
    c.longpoll_timeout_ms = 5000;
    c.headers = browser_headers();
    s.points.push_back(make_point(fmt::format("c{}", clients), c,
                                  fmt::format("{} idle clients: no events for 10 s", clients),
                                  {"--sse-heartbeat-ms", "5000", "--ws-ping-interval-ms", "5000"}));
  }
  return s;
}

// The publisher's keep-alive connection idles a whole period (up to 200 s) between events, and for the
// connect phase before the first: the server keeps it past the longest run.
constexpr std::uint32_t kScaleKeepAliveMs = 900'000;

Suite scale_suite() {
  Suite s;
  s.name = "scale";
  s.purpose =
      "Idle connections from 10,000 to 1,000,000 on WebSocket, SSE and long polling: the connect rate, the "
      "server's user memory and the kernel's memory per connection, and one broadcast to every client (the "
      "time until the last one has it, none lost).";
  s.notes = {
      "One process holds at most 20,000 descriptors here, so the server runs `--workers N` (N = clients x "
      "1.1 / 18,000, at least 2, sharing the port with SO_REUSEPORT and a Redis broker the runner starts) "
      "and the generator `--procs K` (K = clients / 18,000, one publisher); both ends are on this machine.",
      "The generator uses a loopback source address per 10,000 connections (--sources), a third of each "
      "address's ephemeral ports: near a full port range every connect() searches long for a free port.",
      "The broadcast is the one event of the window: its max_us is the time from its scheduled send until "
      "the last of all clients had it, publish included. A warm-up event reaches everyone first, half a "
      "period (5 s, or clients / 25,000 s when longer; clients / 5,000 s above 200,000) before the window "
      "opens. The generator reads no "
      "TCP_INFO per socket (--socket-counts off: at 500,000 sockets that reading kept its "
      "processes busy for seconds while the broadcast arrived), so TCP segments are the host's counts.",
      "Keepalives: the server pings every WebSocket and sends SSE a heartbeat comment every 30 s, or every "
      "clients / 5,000 s when longer (100 s at 500,000), and long polls are held as long before a 204. With "
      "the default 30 s, 500,000 WebSockets need "
      "16,700 pongs a second from a generator whose processes share one core; it fell behind, and the server "
      "dropped 41,426 of its connections for not answering a ping (a rerun: 20,840, the number /stats counts "
      "as transports.ws.dropped_silent and the clients as resets).",
      "The server keeps an idle keep-alive connection 900 s (--keep-alive-timeout-ms; 75 s by default): the "
      "publisher's connection idles through the connect phase and a whole period between events.",
      "Memory per connection: server_bytes_per_idle_conn is the server's RSS growth (every worker) over the "
      "connect phase / connections; kernel_socket_bytes_per_conn the socket slabs' growth / sockets (both "
      "ends are here, so 2 per connection); both are read once every generator process is connected."};
  for (std::uint32_t clients : {10'000u, 20'000u, 50'000u, 100'000u, 200'000u, 500'000u, 1'000'000u}) {
    // Slots fall 0.5 s into the warm-up and every `period` after: the warm-up event, then the one measured.
    // The warm-up event has half a period to reach everyone before the window opens (its bytes are not the
    // measured event's) and the measured one half a period before the window closes. Up to 200,000 a
    // broadcast took ~N / 80,000 s here, at 1,000,000 N / 63,000 s, and at 500,000 N / 10,000 s while the
    // generator's processes were behind on pongs: half a period is N / 10,000 s.
    const double period =
        clients <= 200'000 ? std::max(5.0, std::ceil(clients / 25'000.0)) : std::ceil(clients / 5'000.0);
    LoadConfig c = base_load(period / 2 + 0.5, period);
    c.clients = clients;
    c.rate = 1 / period;
    c.socket_counts = false;
    c.connect_rate = 20'000;
    c.connect_batch = 2'000;
    c.connect_timeout_s = 300;
    c.procs = (clients + kScalePerProcess - 1) / kScalePerProcess;
    const std::uint32_t addresses = (clients + kPerSourceAddress - 1) / kPerSourceAddress;
    if (addresses > 1) c.sources = *parse_sources(std::to_string(addresses - 1), nullptr);
    const std::uint32_t workers =
        std::max<std::uint32_t>(2, (clients / 10 * 11 + kScalePerProcess - 1) / kScalePerProcess);
    // Keepalives stay at 5,000 a second or fewer: the generator's processes share a core, and a WebSocket
    // peer that has not answered a ping by the next one is dropped by the server.
    const std::uint32_t keepalive_ms = std::max<std::uint32_t>(30'000, clients / 5);
    // A long poll's renewal is its keepalive: held as long, so 1,000,000 clients re-poll 5,000 times a second
    // rather than the 33,000 a 30 s timeout asks of one server core (which left clients unconnected after
    // 330 s).
    c.longpoll_timeout_ms = keepalive_ms;
    c.request_timeout_ms = keepalive_ms + 30'000;
    SuitePoint p = make_point(
        fmt::format("c{}", clients), c,
        fmt::format("{} idle clients ({} generator processes, {} server workers), one "
                    "broadcast",
                    clients, c.procs, workers),
        {"--workers", std::to_string(workers), "--ws-ping-interval-ms", std::to_string(keepalive_ms),
         "--sse-heartbeat-ms", std::to_string(keepalive_ms), "--longpoll-max-timeout-ms",
         std::to_string(keepalive_ms), "--keep-alive-timeout-ms", std::to_string(kScaleKeepAliveMs)});
    // make_point sizes the drain for pollers; a broadcast to a million clients needs its own.
    p.load.drain_s = 60;
    p.transports = {*parse_transport("ws"), *parse_transport("sse"), *parse_transport("longpoll")};
    s.points.push_back(std::move(p));
  }
  return s;
}

Suite churn_suite() {
  Suite s;
  s.name = "churn";
  s.purpose = "Short polling over keep-alive connections vs a new TCP connection per request.";
  s.notes = {
      "Connection per request is a short-polling option, so those points run on poll only; the "
      "keep-alive points run on every transport for reference.",
      "The server closes first (Connection: close), so TIME_WAIT stays on its side and the client's "
      "ephemeral ports are not used up."};
  const std::pair<std::uint32_t, std::uint32_t> configs[] = {{200, 100}, {1000, 1000}};
  for (auto [clients, interval] : configs) {
    for (bool cpr : {false, true}) {
      LoadConfig c = base_load(2, 8);
      c.clients = clients;
      c.rate = 10;
      c.poll_interval_ms = interval;
      c.connection_per_request = cpr;
      SuitePoint p =
          make_point(fmt::format("c{}-i{}-{}", clients, interval, cpr ? "cpr" : "keepalive"), c,
                     fmt::format("{} clients polling every {} ms over {}, 10 events/s", clients, interval,
                                 cpr ? "a new connection per request" : "keep-alive connections"));
      if (cpr) p.transports = interval_polling_transports();
      s.points.push_back(std::move(p));
    }
  }
  return s;
}

// A point served over TLS, set beside `baseline` (the same load over plain HTTP) in the report.
SuitePoint over_tls(SuitePoint p, std::string tag, std::string baseline, std::string note) {
  p.tag = std::move(tag);
  p.note = std::move(note);
  p.tls = true;
  p.baseline = std::move(baseline);
  return p;
}

Suite tls_suite() {
  Suite s;
  s.name = "tls";
  s.purpose =
      "What encryption costs each transport: every point plain and over TLS (1.3, ECDSA P-256, session "
      "tickets) in the same run: bytes per event with the records measured, server CPU per event and p99, "
      "a handshake per request for connection-per-request polling (full vs resumed), memory per idle "
      "connection with and without OpenSSL's released buffers.";
  s.notes = {
      "Certificates: a throwaway CA and server certificate made for the run by scripts/make-test-certs.sh "
      "(EC P-256), deleted afterwards; the generator checks the certificate against that CA.",
      "TCP B/event over TLS is what the subscribers' connections wrote to and read from TCP (records and "
      "handshakes), counted in the generator's TLS layer; the publisher has a TLS context of its own and is "
      "not in it.",
      "The anchor for the handshake cost (nginx terminating TLS, `return 204`) is measured by "
      "scripts/bench-tls-handshake.sh, in the same run as rtbench, and reported beside this suite."};

  // The Kaazing setting (1 event/s, polls every second, minimal heads, 32 B), for the bytes table.
  LoadConfig kaazing = base_load(2, 8);
  kaazing.clients = 1000;
  kaazing.payload_bytes = 32;
  SuitePoint k = make_point("c1000-plain", kaazing, "1,000 clients, 1 event/s, poll every 1 s, plain HTTP");
  s.points.push_back(k);
  s.points.push_back(over_tls(k, "c1000-tls", "c1000-plain", "The same over TLS (https, wss)."));

  // Enough deliveries per second that the server's CPU per event reads to a few percent in 10 ms ticks.
  LoadConfig busy = base_load(2, 8);
  busy.clients = 200;
  busy.rate = 50;
  busy.payload_bytes = 64;
  SuitePoint b = make_point("c200-r50-plain", busy, "200 clients, 50 events/s (10,000 deliveries/s), plain");
  s.points.push_back(b);
  s.points.push_back(
      over_tls(b, "c200-r50-tls", "c200-r50-plain", "The same over TLS: CPU per event and latency."));

  // A new connection per poll: every request pays a TCP and a TLS handshake.
  LoadConfig churn = base_load(2, 8);
  churn.clients = 200;
  churn.rate = 10;
  churn.poll_interval_ms = 200;
  churn.connection_per_request = true;
  SuitePoint c = make_point("cpr-plain", churn,
                            "200 clients polling every 200 ms (1,000 requests/s), a new connection per "
                            "request, plain");
  c.transports = interval_polling_transports();
  s.points.push_back(c);
  SuitePoint full = over_tls(c, "cpr-tls-full", "cpr-plain",
                             "The same over TLS, every handshake full (--tls-resume off): the server "
                             "signs and derives a key per request.");
  full.load.tls_resume = false;
  s.points.push_back(full);
  s.points.push_back(over_tls(c, "cpr-tls-resumed", "cpr-plain",
                              "The same over TLS, resuming the last session (tickets): an abbreviated "
                              "handshake per request."));

  // Memory of an idle connection: plain, TLS with the record buffers released while idle, TLS holding them.
  LoadConfig idle = base_load(1, 5);
  idle.clients = 5000;
  idle.rate = 0;
  idle.connect_rate = 2000;  // the server's one core signs every handshake; gentler than its accept rate
  idle.longpoll_timeout_ms = 30'000;
  idle.poll_interval_ms = 5000;
  SuitePoint i = make_point("idle5k-plain", idle, "5,000 idle connections, no events, plain",
                            {"--sse-heartbeat-ms", "30000", "--ws-ping-interval-ms", "30000"});
  i.transports = {*parse_transport("poll"), *parse_transport("longpoll"), *parse_transport("sse"),
                  *parse_transport("ws")};
  s.points.push_back(i);
  s.points.push_back(over_tls(i, "idle5k-tls", "idle5k-plain",
                              "The same over TLS, OpenSSL's record buffers released while idle (the "
                              "default)."));
  SuitePoint held = over_tls(i, "idle5k-tls-buffers", "idle5k-tls",
                             "Over TLS with --tls-release-buffers off: each connection keeps its buffers.");
  held.server_args.insert(held.server_args.end(), {"--tls-release-buffers", "off"});
  s.points.push_back(held);
  return s;
}

Suite full_suite() {
  Suite s;
  s.name = "full";
  s.purpose = "Sweeps of clients (1 .. 10,000), event rate, payload size and poll interval.";
  s.notes = {"The poll-interval sweep runs on short polling only: the interval does not touch the others.",
             "Runs above ~90% generator CPU are flagged generator_bottleneck in results.csv."};
  auto base = [] {
    LoadConfig c = base_load(1, 5);
    c.clients = 100;
    c.rate = 10;
    return c;
  };
  for (std::uint32_t clients : {1u, 10u, 100u, 1000u, 10000u}) {
    LoadConfig c = base();
    c.clients = clients;
    c.rate = 1;
    s.points.push_back(make_point(fmt::format("clients-{}", clients), c,
                                  fmt::format("clients sweep: {} clients, 1 event/s", clients)));
  }
  for (double rate : {1.0, 10.0, 100.0, 1000.0}) {
    LoadConfig c = base();
    c.rate = rate;
    s.points.push_back(make_point(fmt::format("rate-{}", rate), c,
                                  fmt::format("rate sweep: 100 clients, {} events/s", rate),
                                  kHighRateServer));
  }
  for (std::uint32_t payload : {32u, 256u, 4096u, 16384u}) {
    LoadConfig c = base();
    c.payload_bytes = payload;
    s.points.push_back(make_point(fmt::format("payload-{}", payload), c,
                                  fmt::format("payload sweep: 100 clients, 10 events/s of {} B", payload)));
  }
  for (std::uint32_t interval : {100u, 250u, 500u, 1000u, 2000u}) {
    LoadConfig c = base();
    c.poll_interval_ms = interval;
    SuitePoint p =
        make_point(fmt::format("interval-{}", interval), c,
                   fmt::format("poll-interval sweep: 100 clients, 10 events/s, every {} ms", interval));
    p.transports = interval_polling_transports();
    s.points.push_back(std::move(p));
  }
  return s;
}

// The transports a proxy treats alike, by what they do on the wire: those that upgrade the connection
// (WebSocket), those that stream one HTTP response (SSE, HTTP streaming), those that park a request.
std::vector<TransportKind> transports_where(bool (*keep)(const TransportModule&)) {
  std::vector<TransportKind> out;
  for (TransportKind t : all_transports()) {
    if (keep(*t.module)) out.push_back(t);
  }
  return out;
}
std::vector<TransportKind> upgrading_transports() {
  return transports_where([](const TransportModule& m) { return m.upgrades_connection; });
}
std::vector<TransportKind> streamed_response_transports() {
  return transports_where(
      [](const TransportModule& m) { return m.delivery == Delivery::kStreamed && !m.upgrades_connection; });
}
std::vector<TransportKind> parked_transports() {
  return transports_where([](const TransportModule& m) { return m.delivery == Delivery::kParked; });
}

SuitePoint through(SuitePoint p, std::string tag, IntermediaryOptions proxy, std::string note,
                   std::string baseline = {}) {
  p.tag = std::move(tag);
  p.note = std::move(note);
  p.baseline = std::move(baseline);
  proxy.max_connections = static_cast<int>(p.load.clients) + 100;
  p.intermediary = proxy;
  // Without a baseline the point belongs to the failure table, whose broken setups fail requests.
  p.errors_expected = p.baseline.empty();
  return p;
}

IntermediaryOptions proxy_of(IntermediaryKind kind) {
  IntermediaryOptions o;
  o.kind = kind;
  o.allow_connect_to_upstream = true;  // squid: set up for the server's port, as an operator would
  o.no_delay = true;                   // HAProxy http: streamed responses pass at once
  return o;
}

Suite proxy_suite() {
  Suite s;
  s.name = "proxy";
  s.purpose =
      "What sits between client and server: every transport direct and through nginx (L7 reverse proxy), "
      "HAProxy in mode tcp (L4) and mode http (L7), and squid (a forward proxy), each set up correctly, in "
      "the same run: added latency, the proxy's CPU per event and memory per connection, bytes on each side; "
      "then the failure table: the misconfigurations and timeouts the seed warns about, each run broken and "
      "fixed.";
  s.notes = {
      "Each proxy is a Debian package started by the runner for every run on a free port, pinned to the "
      "server's core, in its foreground single-process mode (nginx master_process off, HAProxy -db nbthread "
      "1, squid -N workers 1), so its CPU and memory are one process's; its config is in "
      "proxies/<point>.conf "
      "and its version in metadata.json. nginx and HAProxy are reverse proxies (the generator's --url); "
      "squid is a forward proxy (--proxy: absolute-form requests, a CONNECT tunnel for WebSocket).",
      "The publisher always posts straight to the server: only the subscribers' path goes through the proxy.",
      "Bytes on the server side of a proxy: counted at the server, which reads and writes its sockets with "
      "system calls /proc/PID/io counts (nginx's recv and HAProxy's recv/send are not counted there, so a "
      "proxy's own /proc/PID/io cannot give both its sides), less the publisher's posts.",
      "Why buffering nginx holds SSE but not HTTP streaming: nginx's event pipe passes a partly filled "
      "buffer on once it holds the bytes the chunked parser waits for, so a chunked body (rtbench's HTTP "
      "streaming) flows chunk by chunk; a body delimited by the close (rtbench's SSE) waits until a "
      "proxy_buffers buffer (4 or 8 KiB) fills or the response ends.",
      "nginx-buffered runs a 20 s window (the other failure rows 6 s) so that its SSE streams fill nginx's "
      "4 KiB buffer within it (~84 B per event at 5 events/s: one every ~10 s): its p50/p99 are how long "
      "nginx held the events, and its lost are the events after the last fill, still held in the buffer "
      "when the run ended (they would go on with the next 4 KiB, or when the stream closes).",
      "Balancing over two servers (haproxy-http-2 and the haproxy-2-* rows): HAProxy round robin in front of "
      "two rtbench servers that share a redis-server the runner starts per run (--broker redis://), so a "
      "client's consecutive requests and reconnects may land on either; without a shared broker "
      "(haproxy-2-local) each server numbers its own events. The publisher posts to the first server, whose "
      "figures the tables give."};

  // Measured: 200 subscribers, 10 events/s (2,000 deliveries/s), polls every second.
  LoadConfig m = base_load(2, 8);
  m.clients = 200;
  m.rate = 10;
  SuitePoint direct =
      make_point("direct", m, "200 clients, 10 events/s, polls every 1 s, straight to the server");
  s.points.push_back(direct);
  s.points.push_back(
      through(direct, "nginx", proxy_of(IntermediaryKind::kNginx),
              "The same through nginx (L7 reverse proxy; Upgrade forwarded, proxy_buffering off)", "direct"));
  s.points.push_back(through(direct, "haproxy-tcp", proxy_of(IntermediaryKind::kHaproxyTcp),
                             "The same through HAProxy mode tcp (L4: one decision per connection, bytes "
                             "copied unread)",
                             "direct"));
  s.points.push_back(through(direct, "haproxy-http", proxy_of(IntermediaryKind::kHaproxyHttp),
                             "The same through HAProxy mode http (L7: every request parsed, balanced per "
                             "request; a WebSocket is one request, then a tunnel; option http-no-delay)",
                             "direct"));
  s.points.push_back(through(direct, "squid", proxy_of(IntermediaryKind::kSquid),
                             "The same through squid as a forward proxy (absolute-form requests; CONNECT for "
                             "WebSocket, allowed to the server's port)",
                             "direct"));
  IntermediaryOptions two = proxy_of(IntermediaryKind::kHaproxyHttp);
  two.backends = 2;
  s.points.push_back(
      through(direct, "haproxy-http-2", two,
              "The same through HAProxy mode http balancing round robin over two rtbench servers "
              "that share a Redis broker: each poll and long poll may land on either server (the "
              "publisher posts to the first; server figures are the first server's)",
              "direct"));

  // The failure table: a few clients, events often enough to see a delay, errors expected.
  LoadConfig f = base_load(1, 6);
  f.clients = 50;
  f.rate = 5;
  f.connect_timeout_s = 5;  // a setup no client gets through ends the run soon, with the reason
  SuitePoint fbase = make_point("f", f);
  IntermediaryOptions no_upgrade = proxy_of(IntermediaryKind::kNginx);
  no_upgrade.forward_upgrade = false;
  s.points.push_back(through(fbase, "nginx-no-upgrade", no_upgrade,
                             "nginx without the Upgrade/Connection lines (50 clients, 5 events/s)"));
  s.points.push_back(through(fbase, "nginx-upgrade", proxy_of(IntermediaryKind::kNginx),
                             "nginx set up for WebSocket and streaming (the fix)"));
  IntermediaryOptions buffered = proxy_of(IntermediaryKind::kNginx);
  buffered.buffering = true;
  buffered.ignore_accel_buffering = true;
  SuitePoint b = through(fbase, "nginx-buffered", buffered,
                         "nginx with proxy_buffering on (its default), ignoring the server's "
                         "X-Accel-Buffering (a 20 s window: the hold is ~10 s at this rate)");
  b.transports = streamed_response_transports();
  // nginx passes an SSE stream on a 4 KiB buffer at a time; at 5 events/s of ~84 B one fills every ~10 s,
  // so the 6 s window of the other rows saw nothing arrive and could only call every event lost. 20 s holds
  // two fills (warm-up included): the events of a filled buffer arrive late and their latency is the hold.
  // The drain stays short: the events after the last fill arrive only with 4 KiB more, which no one sends.
  b.load.duration_s = 20;
  s.points.push_back(b);
  buffered.ignore_accel_buffering = false;
  SuitePoint bh = through(fbase, "nginx-buffered-hinted", buffered,
                          "nginx with proxy_buffering on, honouring the server's X-Accel-Buffering: no");
  bh.transports = streamed_response_transports();
  s.points.push_back(bh);

  IntermediaryOptions corked = proxy_of(IntermediaryKind::kHaproxyHttp);
  corked.no_delay = false;
  SuitePoint hc = through(fbase, "haproxy-http-stock", corked,
                          "HAProxy mode http without `option http-no-delay` (its default)");
  hc.transports = streamed_response_transports();
  s.points.push_back(hc);
  SuitePoint hn = through(fbase, "haproxy-http-no-delay", proxy_of(IntermediaryKind::kHaproxyHttp),
                          "HAProxy mode http with `option http-no-delay` (the fix)");
  hn.transports = streamed_response_transports();
  s.points.push_back(hn);

  // A load balancer that cuts connections idle for 5 s, and an event every 8 s.
  LoadConfig lb = base_load(1, 24);
  lb.clients = 20;
  lb.rate = 0.125;
  lb.longpoll_timeout_ms = 30'000;
  IntermediaryOptions lb5 = proxy_of(IntermediaryKind::kHaproxyHttp);
  lb5.idle_timeout_ms = 5'000;
  std::vector<TransportKind> held = upgrading_transports();
  for (auto t : streamed_response_transports()) held.push_back(t);
  for (auto t : parked_transports()) held.push_back(t);
  SuitePoint bare = through(
      make_point("lb", lb, {},
                 {"--ws-ping-interval-ms", "0", "--sse-heartbeat-ms", "0", "--stream-heartbeat-ms", "0"}),
      "lb5s-bare", lb5,
      "HAProxy (mode http) with 5 s timeouts, an event every 8 s; no WebSocket pings, no "
      "heartbeat on streams, long polls parked up to 30 s (20 clients, 24 s)");
  bare.transports = held;
  s.points.push_back(bare);
  LoadConfig lb_kept = lb;
  lb_kept.longpoll_timeout_ms = 4'000;
  SuitePoint kept = through(
      make_point(
          "lb", lb_kept, {},
          {"--ws-ping-interval-ms", "2000", "--sse-heartbeat-ms", "2000", "--stream-heartbeat-ms", "2000"}),
      "lb5s-kept", lb5,
      "The same with pings and heartbeats every 2 s and long polls answered empty after 4 s");
  kept.transports = held;
  s.points.push_back(kept);

  IntermediaryOptions stock = proxy_of(IntermediaryKind::kSquid);
  stock.allow_connect_to_upstream = false;
  s.points.push_back(
      through(fbase, "squid-stock", stock, "squid as shipped: CONNECT only to port 443 (SSL_ports)"));
  s.points.push_back(through(fbase, "squid-connect", proxy_of(IntermediaryKind::kSquid),
                             "squid allowing CONNECT to the server's port (the fix)"));
  SuitePoint forwarded =
      through(fbase, "squid-upgrade-forwarded", proxy_of(IntermediaryKind::kSquid),
              "squid with the WebSocket handshake sent as a forwarded request, not a tunnel "
              "(--proxy-tunnel never)");
  forwarded.load.proxy_tunnel = ProxyTunnel::kNever;
  forwarded.transports = upgrading_transports();
  s.points.push_back(forwarded);

  IntermediaryOptions two_local = two;
  two_local.shared_broker = false;
  s.points.push_back(
      through(fbase, "haproxy-2-local", two_local,
              "HAProxy (mode http) round robin over two rtbench servers, each with its own broker "
              "(its own ids and history); the publisher posts to the first"));
  s.points.push_back(through(fbase, "haproxy-2-redis", two,
                             "The same two servers sharing a Redis broker (--broker redis://)"));
  SuitePoint two_killed =
      through(fbase, "haproxy-2-killed", two,
              "HAProxy (mode http) over two servers sharing Redis, killed (SIGKILL) 4 s into the "
              "run and started again 1 s later: each client comes back on either server");
  two_killed.intermediary_kill_at_s = 4;
  two_killed.intermediary_down_s = 1;
  s.points.push_back(two_killed);

  SuitePoint killed = through(fbase, "nginx-killed", proxy_of(IntermediaryKind::kNginx),
                              "nginx killed (SIGKILL) 4 s into the run and started again 1 s later");
  killed.intermediary_kill_at_s = 4;
  killed.intermediary_down_s = 1;
  s.points.push_back(killed);

  const auto all = all_transports();
  s.failure_rows = {
      {"nginx without `proxy_set_header Upgrade`/`Connection`", "nginx-no-upgrade", "nginx-upgrade",
       "`proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "
       "$connection_upgrade;`",
       all},
      {"nginx buffering a streamed response (`proxy_buffering on`, the server's hint ignored)",
       "nginx-buffered", "nginx-buffered-hinted",
       "the server sends `X-Accel-Buffering: no` (rtbench does, by default), which nginx honours per "
       "response",
       streamed_response_transports()},
      {"nginx buffering a streamed response (`proxy_buffering on`, the server's hint ignored)",
       "nginx-buffered", "nginx-upgrade", "`proxy_buffering off` for the stream's location",
       streamed_response_transports()},
      {"HAProxy mode http as shipped, a streamed response (no `option http-no-delay`)", "haproxy-http-stock",
       "haproxy-http-no-delay",
       "`option http-no-delay`: without it HAProxy sends a message's body with MSG_MORE until it has seen "
       "its "
       "end, so the kernel holds each small chunk of a chunked stream up to ~200 ms",
       streamed_response_transports()},
      {"load balancer idle timeout 5 s, an event every 8 s, no pings", "lb5s-bare", "lb5s-kept",
       "`--ws-ping-interval-ms 2000`: pings below the timeout", upgrading_transports()},
      {"load balancer idle timeout 5 s, an event every 8 s, no heartbeat", "lb5s-bare", "lb5s-kept",
       "a heartbeat below the timeout (`--sse-heartbeat-ms 2000`, `--stream-heartbeat-ms 2000`)",
       streamed_response_transports()},
      {"load balancer idle timeout 5 s, long polls parked up to 30 s", "lb5s-bare", "lb5s-kept",
       "a long-poll timeout below the balancer's (4 s): empty answers, then a new poll", parked_transports()},
      {"squid as shipped, WebSocket tunnelled with CONNECT", "squid-stock", "squid-connect",
       "`acl SSL_ports port <server port>`: CONNECT allowed to the server", all},
      {"squid, WebSocket handshake sent as a forwarded request", "squid-upgrade-forwarded", "squid-connect",
       "tunnel with CONNECT, as browsers do for ws:// and wss:// through a proxy", upgrading_transports()},
      {"nginx killed mid-run and started again 1 s later", "nginx-killed", "",
       "none needed: every client reconnects through the new nginx and resumes from its last id", all},
      {"two servers behind a round-robin balancer, each with its own broker", "haproxy-2-local",
       "haproxy-2-redis",
       "`--broker redis://HOST:PORT` on both servers: one numbering and one history, so a client gets every "
       "event whichever server takes its request",
       all},
      {"HAProxy over two servers sharing Redis, killed mid-run and started again 1 s later",
       "haproxy-2-killed", "",
       "none needed: each client resumes from its last id on whichever server takes it", all},
  };
  return s;
}

}  // namespace

const std::vector<Suite>& suite_catalog() {
  static const std::vector<Suite> suites = {
      quick_suite(), kaazing_suite(),  notifications_suite(), feed_suite(),  chat_suite(),
      game_suite(),  progress_suite(), idle_suite(),          churn_suite(), tls_suite(),
      proxy_suite(), scale_suite(),    full_suite(),          tiny_suite()};
  return suites;
}

const Suite* find_suite(std::string_view name) {
  for (const auto& s : suite_catalog()) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

}  // namespace rtb
