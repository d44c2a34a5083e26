// LoadResult: every figure one load run measured, with one column table that drives the CSV row, the JSON
// "result" object and reading either back, so `rtbench run` can run a load in-process or spawn
// `rtbench load --json FILE` / `--csv FILE` and get the same struct.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "harness/metrics/json.hpp"
#include "harness/metrics/latency_histogram.hpp"

namespace rtb {

// Doubles that could not be measured (no --server-pid, no delivered events) are NaN: "nan" in CSV, null in
// JSON. Per-event figures divide by `delivered`; window figures cover the measure phase (see README).
struct LoadResult {
  std::string start_time;  // ISO-8601 UTC
  std::string end_time;
  // Not a column: when the measure window opened (ISO-8601 UTC, ms), empty if it never did. The latency
  // histogram covers [measure_start_time, + duration_s) by intended send time; .hlog intervals start here.
  std::string measure_start_time;
  std::string url;
  std::string transport;
  std::uint64_t clients = 0;    // requested
  std::uint64_t connected = 0;  // connected at the measure start: the subscribers whose delivery counts
  double rate = 0;              // events/s scheduled
  std::uint64_t payload_bytes = 0;
  std::string header_profile;
  std::uint64_t request_head_bytes =
      0;  // the first request's head (request line + headers), profile included
  std::uint64_t poll_interval_ms = 0;
  std::uint64_t connection_per_request = 0;
  double warmup_s = 0;
  double duration_s = 0;
  std::uint64_t seed = 0;
  std::uint64_t pipeline = 1;  // round-trip modes: operations in flight per connection

  double p50_us = 0, p90_us = 0, p99_us = 0, p999_us = 0, p9999_us = 0, max_us = 0, mean_us = 0;
  std::uint64_t latency_saturated = 0;

  std::uint64_t delivered = 0, expected = 0, lost = 0, duplicated = 0, reordered = 0;
  double events_per_s = 0;

  std::uint64_t requests = 0, empty_responses = 0;
  // TCP connections the subscribers opened in the measure window: for SSE, WebSocket and keep-alive polling
  // each is a reconnect (a server, proxy or load balancer cut the last one).
  std::uint64_t connects = 0;
  // The connect phase (first connect to the last one done or given up) and the clients it connected per
  // second; the pace is capped by --connect-rate.
  double connect_s = 0, connects_per_s = 0;
  std::uint64_t responses_2xx = 0, responses_3xx = 0, responses_4xx = 0;  // round-trip http, measured
  double requests_per_event = 0, requests_per_s = 0;
  double effective_poll_interval_ms = 0;  // short polling: what the clients actually did, to check the timers

  std::uint64_t bytes_up = 0, bytes_down = 0;
  double bytes_up_per_event = 0, bytes_down_per_event = 0;
  double header_bytes_per_event = 0, framing_bytes_per_event = 0, payload_bytes_per_event = 0;
  double header_bytes_up_per_event = 0, header_bytes_down_per_event = 0;
  double framing_bytes_up_per_event = 0, framing_bytes_down_per_event = 0;
  double payload_bytes_up_per_event = 0, payload_bytes_down_per_event = 0;
  double bytes_up_per_s = 0, bytes_down_per_s = 0;

  std::uint64_t tcp_segments = 0;
  double tcp_segments_per_event = 0;
  std::string tcp_segments_scope;  // "loopback_both_ends" or "host_in_plus_out"
  std::uint64_t tcp_retransmits = 0;

  double server_cpu_s = 0, server_cpu_s_per_1k_events = 0, server_rss_bytes = 0;
  double server_cpu_us_per_op = 0;  // per delivered event or round trip
  // Its user-space part (utime): the server's own code, without the kernel's TCP work; NaN when not sampled.
  double server_user_cpu_us_per_op = std::numeric_limits<double>::quiet_NaN();
  double server_bytes_per_idle_conn = 0, kernel_tcp_bytes_per_conn = 0;
  // The intermediary between generator and server (--proxy-pid: nginx, HAProxy, squid), measured like the
  // server; NaN without one.
  double proxy_cpu_s = std::numeric_limits<double>::quiet_NaN();
  double proxy_cpu_us_per_op = std::numeric_limits<double>::quiet_NaN();
  double proxy_rss_bytes = std::numeric_limits<double>::quiet_NaN();
  double proxy_bytes_per_idle_conn = std::numeric_limits<double>::quiet_NaN();
  // Bytes the proxy read and wrote per event (both its sides), and of those its side towards the server.
  double proxy_io_bytes_per_event = std::numeric_limits<double>::quiet_NaN();
  double proxy_server_side_bytes_per_event = std::numeric_limits<double>::quiet_NaN();
  // The server's shared broker (--broker-pid: redis-server), per event published; NaN without one.
  double broker_cpu_s = std::numeric_limits<double>::quiet_NaN();
  double broker_cpu_us_per_event = std::numeric_limits<double>::quiet_NaN();
  double broker_rss_bytes = std::numeric_limits<double>::quiet_NaN();
  // NaN, not 0, when a result read back from an older CSV lacks the column.
  double kernel_socket_bytes_per_conn = std::numeric_limits<double>::quiet_NaN();
  double generator_cpu_pct = 0;
  std::uint64_t generator_bottleneck = 0;
  double gen_cpu_us_per_op = 0;  // generator thread CPU per delivered event or round trip

  std::uint64_t errors_refused = 0, errors_reset = 0, errors_timeout = 0, errors_protocol = 0,
                errors_http_status = 0, errors_total = 0;

  std::string publish_via;  // http or ws
  std::uint64_t publish_scheduled = 0, publish_sent = 0, publish_late = 0, publish_dropped = 0,
                publish_errors = 0;
  double publish_max_lateness_us = 0;

  std::uint64_t warmup_events = 0, unstamped_events = 0, gap_reports = 0;

  // Trust: the second counters and what else ran (see README, "Trust").
  std::uint64_t tcp_segments_own = 0;   // TCP_INFO of the generator's own sockets (out + in) in the window
  std::uint64_t tcp_segments_host = 0;  // /proc/net/snmp over the same window (host-wide)
  std::uint64_t tcp_sockets_gone = 0;   // own sockets closed inside the window: tcp_segments_own is a floor
  double other_cpu_pct = std::numeric_limits<double>::quiet_NaN();  // other processes' CPU, % of one core
  std::uint64_t suspect_count = 0;                                  // entries of `suspects`

  // https/wss: the protocol the handshakes chose ("TLSv1.3", "TLSv1.2", "mixed"; empty over plain TCP),
  // whether the server certificate was checked, and the handshakes of the whole run (resumed ones apart).
  std::string tls;
  std::uint64_t tls_verified = 0, tls_handshakes = 0, tls_resumed = 0;
  // The subscribers' TLS bytes in the window (records and handshakes, both directions), per event, and what
  // they add to the application bytes: record headers, tags, padding, handshakes.
  std::uint64_t tls_bytes_up = 0, tls_bytes_down = 0;
  double tls_bytes_per_event = std::numeric_limits<double>::quiet_NaN();
  double tls_overhead_bytes_per_event = std::numeric_limits<double>::quiet_NaN();

  // Not columns: the full latency distribution (ns) for spectra and exact merging across processes, the first
  // message of each error kind, and warnings for the reader (e.g. generator-bound run).
  LatencyHistogram latency;
  std::vector<std::pair<std::string, std::string>> error_examples;
  std::vector<std::string> warnings;
  // Figures that contradict their model or a second counter, one sentence each (figure: reason).
  std::vector<std::string> suspects;
};

struct ResultColumn {
  std::string_view name;
  std::string_view doc;  // one line, units included; README.md repeats these
  std::variant<std::string LoadResult::*, std::uint64_t LoadResult::*, double LoadResult::*> member;
};

// Every column in CSV order. Adding one here adds it to the CSV header, the JSON and the readers.
const std::vector<ResultColumn>& load_result_columns();

std::vector<std::string> load_result_csv_header();
std::vector<std::string> load_result_csv_row(const LoadResult& result);
// Reads a row under `header` (any column order; columns we do not know are ignored, missing ones stay at
// their defaults).
std::optional<LoadResult> load_result_from_csv(const std::vector<std::string>& header,
                                               const std::vector<std::string>& row, std::string* error);

// The latency columns (p50_us .. max_us, mean_us) from `h` (nanoseconds); NaN when it is empty.
void fill_latency_figures(LoadResult& result, const LatencyHistogram& h);

// The columns as one JSON object (the "result" of `rtbench load --json`); NaN figures are null.
Json load_result_columns_json(const LoadResult& result);
// Reads what write_load_result_json() wrote (the "result" object, the histogram, examples, warnings).
std::optional<LoadResult> load_result_from_json(std::string_view text, std::string* error);

}  // namespace rtb
