#include "harness/scenario/load_summary.hpp"

#include <fmt/format.h>

#include <cmath>

namespace rtb {

namespace {

std::string latency(double us) {
  if (std::isnan(us)) return "-";
  if (us >= 1e6) return fmt::format("{:.2f}s", us / 1e6);
  if (us >= 1e3) return fmt::format("{:.2f}ms", us / 1e3);
  return fmt::format("{:.1f}us", us);
}

std::string number(double v, int decimals = 1) {
  if (std::isnan(v)) return "-";
  return fmt::format("{:.{}f}", v, decimals);
}

std::string bytes(double v) {
  if (std::isnan(v)) return "-";
  const double a = std::fabs(v);
  if (a >= 1024.0 * 1024 * 1024) return fmt::format("{:.2f} GiB", v / (1024.0 * 1024 * 1024));
  if (a >= 1024.0 * 1024) return fmt::format("{:.2f} MiB", v / (1024.0 * 1024));
  if (a >= 1024.0) return fmt::format("{:.2f} KiB", v / 1024.0);
  return fmt::format("{:.0f} B", v);
}

// "" over plain TCP; an unchecked certificate is said every time, so a figure from such a run is never read
// as one from a verified connection.
// The proxy in front of the server (--proxy-pid), measured like the server; `per` names the operation.
std::string proxy_text(const LoadConfig& c, const LoadResult& r, std::string_view per) {
  if (c.proxy_pid <= 0) return {};
  return fmt::format(
      "  Proxy pid {}: CPU {} us per {} ({} s in the window), RSS {}, {} per idle connection\n", c.proxy_pid,
      number(r.proxy_cpu_us_per_op, 2), per, number(r.proxy_cpu_s, 3), bytes(r.proxy_rss_bytes),
      bytes(r.proxy_bytes_per_idle_conn));
}

// The server's shared broker (--broker-pid), per event published.
std::string broker_text(const LoadConfig& c, const LoadResult& r) {
  if (c.broker_pid <= 0) return {};
  return fmt::format("  Broker pid {}: CPU {} us per event published ({} s in the window), RSS {}\n",
                     c.broker_pid, number(r.broker_cpu_us_per_event, 2), number(r.broker_cpu_s, 3),
                     bytes(r.broker_rss_bytes));
}

std::string tls_text(const LoadResult& r) {
  if (r.tls.empty()) return {};
  return fmt::format("  TLS: {}, {} handshakes ({} resumed), server certificate {}\n", r.tls,
                     r.tls_handshakes, r.tls_resumed,
                     r.tls_verified ? "checked" : "NOT checked (--insecure)");
}

void append_errors_and_warnings(const LoadResult& r, std::string& out) {
  auto line = [&out](std::string s) {
    out += s;
    out += '\n';
  };
  if (r.errors_total == 0) {
    line("  Connection errors: none");
  } else {
    line(
        fmt::format("  Connection errors: {} (refused {}, reset {}, timeout {}, protocol {}, http_status {})",
                    r.errors_total, r.errors_refused, r.errors_reset, r.errors_timeout, r.errors_protocol,
                    r.errors_http_status));
  }
  for (const auto& [kind, message] : r.error_examples) line(fmt::format("    first {}: {}", kind, message));
  for (const auto& w : r.warnings) line(fmt::format("  WARNING: {}", w));
  for (const auto& w : r.suspects) line(fmt::format("  SUSPECT: {}", w));
}

// wrk's layout for the closed-loop modes: what was driven, then the round-trip latency, the rate, the cost.
std::string round_trip_header(const LoadConfig& c, const LoadResult* r) {
  std::string out;
  auto line = [&out](std::string s) {
    out += s;
    out += '\n';
  };
  const bool echo = c.transport == TransportKind::echo();
  line(fmt::format("Running {}s {} test @ {}  (warm-up {}s, drain up to {}s)", number(c.duration_s, 1),
                   echo ? "WebSocket echo" : "HTTP request", c.url, number(c.warmup_s, 1),
                   number(c.drain_s, 1)));
  if (echo) {
    line(fmt::format("  {} connections, {} messages of {} B in flight each, closed loop", c.clients,
                     c.pipeline, c.payload_bytes));
  } else {
    const std::string loop =
        c.request_rate > 0
            ? fmt::format("open loop of {} requests/s (one every {} ms on each connection)",
                          number(c.request_rate, 1), number(1000.0 * c.clients / c.request_rate, 1))
            : std::string("closed loop");
    line(fmt::format("  {} keep-alive connections, {} requests in flight each, {}; headers {}{}", c.clients,
                     c.pipeline, loop, c.headers.name(),
                     r != nullptr ? fmt::format(" ({} B request)", r->request_head_bytes) : std::string()));
  }
  return out;
}

std::string round_trip_body(const LoadConfig& c, const LoadResult& r) {
  std::string out;
  auto line = [&out](std::string s) {
    out += s;
    out += '\n';
  };
  const bool echo = c.transport == TransportKind::echo();
  const char* op = echo ? "round trips" : "requests";
  line("");
  line("  Latency, round trip (send -> complete answer)");
  line(fmt::format("    p50 {:>10}  p90 {:>10}  p99 {:>10}  p99.9 {:>10}", latency(r.p50_us),
                   latency(r.p90_us), latency(r.p99_us), latency(r.p999_us)));
  line(fmt::format("    p99.99 {:>7}  max {:>10}  mean {:>9}  ({} samples)", latency(r.p9999_us),
                   latency(r.max_us), latency(r.mean_us), r.latency.count()));
  line(fmt::format("  {} {} in {}s, {} answered; lost {}, duplicated {}, reordered {}", r.requests, op,
                   number(r.duration_s, 1), r.delivered, r.lost, r.duplicated, r.reordered));
  if (!echo) {
    line(fmt::format("  Answers: 2xx {} (204: {}), 3xx {}, 4xx {}; 5xx count as errors", r.responses_2xx,
                     r.empty_responses, r.responses_3xx, r.responses_4xx));
  }
  line(fmt::format("{}/sec: {:>12}", echo ? "Round trips" : "Requests", number(r.events_per_s, 2)));
  line(fmt::format("Transfer/sec: up {}/s, down {}/s  (per {}: up {} B, down {} B)", bytes(r.bytes_up_per_s),
                   bytes(r.bytes_down_per_s), echo ? "round trip" : "request", number(r.bytes_up_per_event),
                   number(r.bytes_down_per_event)));
  line(fmt::format("  Generator CPU: {} us per {} ({}% of one core){}", number(r.gen_cpu_us_per_op, 2),
                   echo ? "round trip" : "request", number(r.generator_cpu_pct, 0),
                   r.generator_bottleneck != 0 ? "  << the generator may have set the rate" : ""));
  out += tls_text(r);
  out += proxy_text(c, r, echo ? "round trip" : "request");
  if (c.server_pid > 0) {
    line(fmt::format("  Server pid {}: CPU {} us per {} ({} s in the window), RSS {}", c.server_pid,
                     number(r.server_cpu_us_per_op, 2), echo ? "round trip" : "request",
                     number(r.server_cpu_s, 3), bytes(r.server_rss_bytes)));
  } else {
    line("  Server: no --server-pid, no server CPU figures");
  }
  append_errors_and_warnings(r, out);
  return out;
}

}  // namespace

std::string load_header(const LoadConfig& c, const LoadResult* r) {
  if (is_round_trip(c.transport)) return round_trip_header(c, r);
  std::string out;
  auto line = [&out](std::string s) {
    out += s;
    out += '\n';
  };
  std::string mode;
  if (polls_on_interval(c.transport)) {
    mode = fmt::format(", every {} ms, {}", c.poll_interval_ms,
                       c.connection_per_request ? "a connection per request" : "keep-alive");
  }
  line(fmt::format("Running {}s load test @ {}  (warm-up {}s, drain up to {}s)", number(c.duration_s, 1),
                   c.url, number(c.warmup_s, 1), number(c.drain_s, 1)));
  line(
      fmt::format("  {} subscribers{} over {}{}, headers {}{}", c.clients,
                  c.procs > 1 ? fmt::format(" in {} generator processes", c.procs) : std::string(),
                  transport_name(c.transport), mode, c.headers.name(),
                  r != nullptr ? fmt::format(" ({} B request head)", r->request_head_bytes) : std::string()));
  line(fmt::format("  publisher: {} events/s of {} B, open loop, {}", number(c.rate, 1), c.payload_bytes,
                   c.effective_publish_via() == PublishVia::kWebSocket
                       ? "WebSocket messages on one /ws connection"
                       : "pipelined POST /publish on one keep-alive connection"));
  return out;
}

std::string load_summary(const LoadConfig& c, const LoadResult& r) {
  return load_header(c, &r) + load_result_text(c, r);
}

std::string load_result_text(const LoadConfig& c, const LoadResult& r) {
  if (is_round_trip(c.transport)) return round_trip_body(c, r);
  std::string out;
  auto line = [&out](std::string s) {
    out += s;
    out += '\n';
  };
  line("");
  line("  Latency publish -> receive (from each event's scheduled send time)");
  line(fmt::format("    p50 {:>10}  p90 {:>10}  p99 {:>10}  p99.9 {:>10}", latency(r.p50_us),
                   latency(r.p90_us), latency(r.p99_us), latency(r.p999_us)));
  line(fmt::format("    p99.99 {:>7}  max {:>10}  mean {:>9}  ({} samples)", latency(r.p9999_us),
                   latency(r.max_us), latency(r.mean_us), r.latency.count()));
  line(fmt::format(
      "  Delivery: {} of {} expected ({} subscribers connected); lost {}, duplicated {}, reordered {}",
      r.delivered, r.expected, r.connected, r.lost, r.duplicated, r.reordered));
  line(fmt::format("  Throughput: {} events/s delivered", number(r.events_per_s, 1)));
  line(fmt::format("  Requests: {} ({}/s, {} per delivered event), empty responses {}", r.requests,
                   number(r.requests_per_s, 1), number(r.requests_per_event, 3), r.empty_responses));
  if (!std::isnan(r.effective_poll_interval_ms)) {
    line(fmt::format("  Short polling: each client polled every {} ms on average (asked: {} ms)",
                     number(r.effective_poll_interval_ms, 1), r.poll_interval_ms));
  }
  line(fmt::format("  Application bytes per delivered event: up {} (headers {}, framing {}, payload {})",
                   number(r.bytes_up_per_event), number(r.header_bytes_up_per_event),
                   number(r.framing_bytes_up_per_event), number(r.payload_bytes_up_per_event)));
  line(fmt::format("                                         down {} (headers {}, framing {}, payload {})",
                   number(r.bytes_down_per_event), number(r.header_bytes_down_per_event),
                   number(r.framing_bytes_down_per_event), number(r.payload_bytes_down_per_event)));
  line(fmt::format("  Bytes/s: up {}/s, down {}/s", bytes(r.bytes_up_per_s), bytes(r.bytes_down_per_s)));
  if (!r.tcp_segments_scope.empty()) {
    line(fmt::format("  TCP segments per delivered event: {} ({} segments, {} retransmitted; {})",
                     number(r.tcp_segments_per_event, 3), r.tcp_segments, r.tcp_retransmits,
                     r.tcp_segments_scope == "own_sockets"
                         ? fmt::format("this run's sockets, TCP_INFO; host-wide {}", r.tcp_segments_host)
                     : r.tcp_segments_scope == "loopback_both_ends"
                         ? "loopback: client and server ends both counted, each segment once; host-wide"
                         : "this host's InSegs + OutSegs; host-wide"));
  }
  if (!std::isnan(r.other_cpu_pct)) {
    line(fmt::format("  Other processes on the host: {}% of a core in the window (/proc/stat)",
                     number(r.other_cpu_pct, 0)));
  }
  out += tls_text(r);
  out += proxy_text(c, r, "event");
  out += broker_text(c, r);
  if (c.server_pid > 0) {
    line(fmt::format("  Server pid {}: CPU {} ms per 1000 events ({} s in the window), RSS {}", c.server_pid,
                     number(r.server_cpu_s_per_1k_events * 1000, 3), number(r.server_cpu_s, 3),
                     bytes(r.server_rss_bytes)));
    line(fmt::format(
        "    per idle connection: {} user memory (RSS delta / {}), kernel socket {} (slabinfo, one "
        "end), kernel TCP buffers {} (/proc/net/sockstat, both ends)",
        bytes(r.server_bytes_per_idle_conn), r.connected, bytes(r.kernel_socket_bytes_per_conn),
        bytes(r.kernel_tcp_bytes_per_conn)));
  } else {
    line(
        fmt::format("  Server: no --server-pid, no server CPU or memory figures; per connection kernel "
                    "socket {} (slabinfo, one end), kernel TCP buffers {}",
                    bytes(r.kernel_socket_bytes_per_conn), bytes(r.kernel_tcp_bytes_per_conn)));
  }
  line(fmt::format(
      "  Generator CPU: {}% of one core, {} us per delivered event{}", number(r.generator_cpu_pct, 0),
      number(r.gen_cpu_us_per_op, 2),
      r.generator_bottleneck != 0 ? "  << GENERATOR-BOUND: results may measure the generator" : ""));
  line(fmt::format(
      "  Publisher: {} scheduled, {} sent, {} late (> {} ms), {} dropped, {} failed; max lateness {}",
      r.publish_scheduled, r.publish_sent, r.publish_late, number(c.effective_late_ms(), 1),
      r.publish_dropped, r.publish_errors, latency(r.publish_max_lateness_us)));
  append_errors_and_warnings(r, out);
  return out;
}

}  // namespace rtb
