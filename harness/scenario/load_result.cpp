#include "harness/scenario/load_result.hpp"

#include <cmath>
#include <cstdlib>

#include "harness/metrics/csv_writer.hpp"
#include "harness/scenario/number_text.hpp"

namespace rtb {

namespace {

using R = LoadResult;

std::optional<double> parse_double(std::string_view text) {
  if (text == "nan" || text.empty()) return std::nan("");
  if (text == "inf") return HUGE_VAL;
  if (text == "-inf") return -HUGE_VAL;
  std::string s(text);
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return std::nullopt;
  return v;
}

// Sets one column from text; false when the text does not fit the column's type.
bool set_column(LoadResult& r, const ResultColumn& c, std::string_view text) {
  if (auto p = std::get_if<std::string R::*>(&c.member)) {
    r.*(*p) = std::string(text);
    return true;
  }
  if (auto p = std::get_if<std::uint64_t R::*>(&c.member)) {
    auto v = parse_u64(text);
    if (!v) return false;
    r.*(*p) = *v;
    return true;
  }
  auto p = std::get<double R::*>(c.member);
  auto v = parse_double(text);
  if (!v) return false;
  r.*p = *v;
  return true;
}

}  // namespace

const std::vector<ResultColumn>& load_result_columns() {
  static const std::vector<ResultColumn> columns = {
      {"start_time", "run start, ISO-8601 UTC", &R::start_time},
      {"end_time", "run end, ISO-8601 UTC", &R::end_time},
      {"url", "the server URL", &R::url},
      {"transport", "poll, longpoll, sse or ws; http or echo for the round-trip modes", &R::transport},
      {"clients", "subscribers requested", &R::clients},
      {"connected", "subscribers connected at the measure start (the ones whose delivery counts)",
       &R::connected},
      {"rate", "events per second the publisher scheduled", &R::rate},
      {"payload_bytes", "event text size asked for, stamp included", &R::payload_bytes},
      {"header_profile", "request header profile: minimal, browser or a head size in bytes",
       &R::header_profile},
      {"request_head_bytes", "bytes of the first subscriber request head (request line + headers)",
       &R::request_head_bytes},
      {"poll_interval_ms", "short-polling interval per client", &R::poll_interval_ms},
      {"connection_per_request", "1 when short polling opened a TCP connection per request",
       &R::connection_per_request},
      {"warmup_s", "warm-up length, not measured", &R::warmup_s},
      {"duration_s", "measure phase length (events whose intended send time falls in it are measured)",
       &R::duration_s},
      {"seed", "seed of the short-polling phases", &R::seed},
      {"pipeline", "round-trip modes: operations each connection keeps in flight (1 otherwise)",
       &R::pipeline},
      {"p50_us", "latency publish->receive, 50th percentile, microseconds", &R::p50_us},
      {"p90_us", "latency 90th percentile, microseconds", &R::p90_us},
      {"p99_us", "latency 99th percentile, microseconds", &R::p99_us},
      {"p999_us", "latency 99.9th percentile, microseconds", &R::p999_us},
      {"p9999_us", "latency 99.99th percentile, microseconds", &R::p9999_us},
      {"max_us", "latency maximum, microseconds", &R::max_us},
      {"mean_us", "latency mean, microseconds", &R::mean_us},
      {"latency_saturated", "latencies above the histogram's 1 h range (recorded as 1 h)",
       &R::latency_saturated},
      {"delivered", "measured events received, distinct per subscriber, summed over subscribers",
       &R::delivered},
      {"expected", "measured events published (answered with an id) x connected subscribers", &R::expected},
      {"lost", "expected events never received", &R::lost},
      {"duplicated", "receptions of an event already received", &R::duplicated},
      {"reordered", "events received after a later one", &R::reordered},
      {"events_per_s", "delivered / duration_s", &R::events_per_s},
      {"requests", "HTTP requests the subscribers sent in the measure window (WebSocket handshake = 1)",
       &R::requests},
      {"requests_per_event", "requests / delivered", &R::requests_per_event},
      {"connects",
       "TCP connections the subscribers opened in the measure window (SSE, WebSocket, keep-alive polling: "
       "reconnects after a cut)",
       &R::connects},
      {"requests_per_s", "requests / duration_s", &R::requests_per_s},
      {"connect_s", "connect phase: from the first connect until every client was connected (or gave up)",
       &R::connect_s},
      {"connects_per_s", "clients connected / connect_s: the connect rate reached (paced by --connect-rate)",
       &R::connects_per_s},
      {"effective_poll_interval_ms",
       "short polling: connected x measure window / requests, the interval the clients really kept (nan "
       "otherwise)",
       &R::effective_poll_interval_ms},
      {"empty_responses", "204 answers in the window (empty polls, long-poll timeouts)", &R::empty_responses},
      {"responses_2xx", "round-trip http: measured requests answered 2xx (204 included)", &R::responses_2xx},
      {"responses_3xx", "round-trip http: measured requests answered 3xx", &R::responses_3xx},
      {"responses_4xx", "round-trip http: measured requests answered 4xx (5xx are errors_http_status)",
       &R::responses_4xx},
      {"bytes_up", "application bytes subscribers sent in the window", &R::bytes_up},
      {"bytes_down", "application bytes subscribers received in the window", &R::bytes_down},
      {"bytes_up_per_event", "bytes_up / delivered", &R::bytes_up_per_event},
      {"bytes_down_per_event", "bytes_down / delivered", &R::bytes_down_per_event},
      {"header_bytes_per_event", "HTTP request + response heads (up + down) / delivered",
       &R::header_bytes_per_event},
      {"framing_bytes_per_event",
       "SSE/batch field names and line ends, WebSocket frame headers (up + down) / "
       "delivered",
       &R::framing_bytes_per_event},
      {"payload_bytes_per_event", "event text and request bodies (up + down) / delivered",
       &R::payload_bytes_per_event},
      {"header_bytes_up_per_event", "request heads / delivered", &R::header_bytes_up_per_event},
      {"header_bytes_down_per_event", "response heads / delivered", &R::header_bytes_down_per_event},
      {"framing_bytes_up_per_event", "framing sent / delivered", &R::framing_bytes_up_per_event},
      {"framing_bytes_down_per_event", "framing received / delivered", &R::framing_bytes_down_per_event},
      {"payload_bytes_up_per_event", "payload sent / delivered", &R::payload_bytes_up_per_event},
      {"payload_bytes_down_per_event", "payload received / delivered", &R::payload_bytes_down_per_event},
      {"bytes_up_per_s", "bytes_up / duration_s", &R::bytes_up_per_s},
      {"bytes_down_per_s", "bytes_down / duration_s", &R::bytes_down_per_s},
      {"tcp_segments",
       "TCP segments in the window: tcp_segments_own, or the host count when own sockets closed inside the "
       "window (see tcp_segments_scope)",
       &R::tcp_segments},
      {"tcp_segments_per_event", "tcp_segments / delivered (publisher and every other TCP user included)",
       &R::tcp_segments_per_event},
      {"tcp_segments_scope",
       "own_sockets: TCP_INFO of the generator's sockets; loopback_both_ends: host OutSegs, where each "
       "segment of client AND server is counted once; host_in_plus_out: InSegs + OutSegs of this host",
       &R::tcp_segments_scope},
      {"tcp_retransmits", "RetransSegs in the window", &R::tcp_retransmits},
      {"server_cpu_s", "server CPU seconds (user + system) in the window; nan without --server-pid",
       &R::server_cpu_s},
      {"server_cpu_s_per_1k_events", "server_cpu_s per 1000 delivered events",
       &R::server_cpu_s_per_1k_events},
      {"server_cpu_us_per_op", "server_cpu_s per delivered event or round trip, microseconds",
       &R::server_cpu_us_per_op},
      {"server_user_cpu_us_per_op",
       "the user-space part (utime) of server_cpu_us_per_op: the server's own code, not the kernel's TCP work",
       &R::server_user_cpu_us_per_op},
      {"server_rss_bytes", "server resident memory at the end of the window", &R::server_rss_bytes},
      {"server_bytes_per_idle_conn",
       "(server RSS with the subscribers connected and idle - RSS before) / "
       "connected",
       &R::server_bytes_per_idle_conn},
      {"proxy_cpu_s",
       "CPU seconds (user + system) in the window of the proxy between generator and server; nan without "
       "--proxy-pid",
       &R::proxy_cpu_s},
      {"proxy_cpu_us_per_op", "proxy_cpu_s per delivered event or round trip, microseconds",
       &R::proxy_cpu_us_per_op},
      {"proxy_rss_bytes", "the proxy's resident memory at the end of the window", &R::proxy_rss_bytes},
      {"proxy_bytes_per_idle_conn",
       "(proxy RSS with the subscribers connected and idle - RSS before) / connected",
       &R::proxy_bytes_per_idle_conn},
      {"proxy_io_bytes_per_event",
       "bytes the proxy moved through read/write-family system calls in the window (/proc/PID/io rchar + "
       "wchar) / delivered; recv/send are not counted there, so it is both sides of squid but not of nginx "
       "or HAProxy",
       &R::proxy_io_bytes_per_event},
      {"proxy_server_side_bytes_per_event",
       "bytes between the proxy and the server per delivered event, counted at the server (--server-pid: "
       "what rtbench serve read and wrote, /proc/PID/io) less the publisher's bytes, which go straight to "
       "it; nan without --proxy-pid and --server-pid",
       &R::proxy_server_side_bytes_per_event},
      {"broker_cpu_s",
       "CPU seconds (user + system) in the window of the server's shared broker (redis-server); nan without "
       "--broker-pid",
       &R::broker_cpu_s},
      {"broker_cpu_us_per_event",
       "broker_cpu_s per measured event published (expected / connected), microseconds: the broker sends an "
       "event once per server process, whatever the subscribers",
       &R::broker_cpu_us_per_event},
      {"broker_rss_bytes", "the broker's resident memory at the end of the window", &R::broker_rss_bytes},
      {"kernel_tcp_bytes_per_conn",
       "/proc/net/sockstat TCP mem delta over the same interval / connected "
       "(both ends on loopback)",
       &R::kernel_tcp_bytes_per_conn},
      {"kernel_socket_bytes_per_conn",
       "kernel slab memory of one socket (tcp_sock, inode, file, dentry, epoll entry): /proc/slabinfo delta "
       "over the same interval / sockets (2 per connection on loopback); nan unless root",
       &R::kernel_socket_bytes_per_conn},
      {"generator_cpu_pct", "load generator thread CPU in the window, % of one core", &R::generator_cpu_pct},
      {"generator_bottleneck", "1 when generator_cpu_pct > 90: the numbers may measure the generator",
       &R::generator_bottleneck},
      {"gen_cpu_us_per_op",
       "generator thread CPU in the window per delivered event or round trip, microseconds",
       &R::gen_cpu_us_per_op},
      {"errors_refused", "connection errors: refused (see rtbench load --help)", &R::errors_refused},
      {"errors_reset", "connection errors: reset", &R::errors_reset},
      {"errors_timeout", "connection errors: timeout", &R::errors_timeout},
      {"errors_protocol", "connection errors: protocol", &R::errors_protocol},
      {"errors_http_status", "connection errors: unexpected HTTP status", &R::errors_http_status},
      {"errors_total", "sum of the errors_* columns", &R::errors_total},
      {"publish_via",
       "how events were published: http (pipelined POST /publish) or ws (messages on /ws); none in the "
       "round-trip modes",
       &R::publish_via},
      {"publish_scheduled", "publisher slots that came due (sent + dropped)", &R::publish_scheduled},
      {"publish_sent", "publishes sent", &R::publish_sent},
      {"publish_late",
       "publishes sent more than --late-ms after their slot (latency still counts from the slot)",
       &R::publish_late},
      {"publish_dropped",
       "slots never sent: --max-in-flight reached or the connection down (k6's dropped "
       "iterations)",
       &R::publish_dropped},
      {"publish_errors", "publishes answered with an error or never answered", &R::publish_errors},
      {"publish_max_lateness_us", "largest send delay after a slot, microseconds",
       &R::publish_max_lateness_us},
      {"warmup_events", "receptions of warm-up events (not measured)", &R::warmup_events},
      {"unstamped_events", "events without the generator's stamp (another publisher on the channel)",
       &R::unstamped_events},
      {"gap_reports", "times the server said history was gone (those events count as lost)", &R::gap_reports},
      {"tcp_segments_own",
       "TCP segments of the generator's own sockets in the window, TCP_INFO tcpi_segs_out + tcpi_segs_in (on "
       "loopback every segment of a connection once)",
       &R::tcp_segments_own},
      {"tcp_segments_host",
       "TCP segments of the whole host in the window from /proc/net/snmp (the cross-check)",
       &R::tcp_segments_host},
      {"tcp_sockets_gone",
       "own sockets closed inside the window (their segments left with them; tcp_segments then falls back to "
       "the host count)",
       &R::tcp_sockets_gone},
      {"other_cpu_pct",
       "CPU of every other process on the host in the window (/proc/stat busy - server - generator), % of "
       "one "
       "core",
       &R::other_cpu_pct},
      {"suspect_count", "figures of this run that contradict their model or a second counter (see suspects)",
       &R::suspect_count},
      {"tls", "https/wss: TLSv1.3, TLSv1.2 or mixed (what the handshakes chose); empty over plain TCP",
       &R::tls},
      {"tls_verified", "1 when the server certificate was checked (0: --insecure)", &R::tls_verified},
      {"tls_handshakes",
       "TLS handshakes the subscribers (or round-trip connections) completed in the whole run",
       &R::tls_handshakes},
      {"tls_resumed", "of those, abbreviated ones (session resumption)", &R::tls_resumed},
      {"tls_bytes_up", "TLS bytes subscribers wrote to TCP in the window (records and handshakes)",
       &R::tls_bytes_up},
      {"tls_bytes_down", "TLS bytes subscribers read from TCP in the window (records and handshakes)",
       &R::tls_bytes_down},
      {"tls_bytes_per_event", "(tls_bytes_up + tls_bytes_down) / delivered; nan over plain TCP",
       &R::tls_bytes_per_event},
      {"tls_overhead_bytes_per_event",
       "tls_bytes_per_event - (bytes_up + bytes_down) / delivered: record headers, tags and handshakes",
       &R::tls_overhead_bytes_per_event},
  };
  return columns;
}

std::vector<std::string> load_result_csv_header() {
  std::vector<std::string> out;
  for (const auto& c : load_result_columns()) out.emplace_back(c.name);
  return out;
}

std::vector<std::string> load_result_csv_row(const LoadResult& r) {
  std::vector<std::string> out;
  for (const auto& c : load_result_columns()) {
    if (auto p = std::get_if<std::string R::*>(&c.member)) {
      out.push_back(r.*(*p));
    } else if (auto p = std::get_if<std::uint64_t R::*>(&c.member)) {
      out.push_back(std::to_string(r.*(*p)));
    } else {
      out.push_back(csv_figure(r.*std::get<double R::*>(c.member)));  // NaN: an empty cell
    }
  }
  return out;
}

std::optional<LoadResult> load_result_from_csv(const std::vector<std::string>& header,
                                               const std::vector<std::string>& row, std::string* error) {
  if (header.size() != row.size()) {
    if (error != nullptr) *error = "the row and the header have different numbers of fields";
    return std::nullopt;
  }
  LoadResult r;
  for (std::size_t i = 0; i < header.size(); ++i) {
    for (const auto& c : load_result_columns()) {
      if (c.name != header[i]) continue;
      if (!set_column(r, c, row[i])) {
        if (error != nullptr) *error = "column " + header[i] + ": cannot read '" + row[i] + "'";
        return std::nullopt;
      }
    }
  }
  return r;
}

void fill_latency_figures(LoadResult& r, const LatencyHistogram& h) {
  const double nan = std::nan("");
  auto us = [&](double p) {
    return h.count() > 0 ? static_cast<double>(h.value_at_percentile(p)) / 1000 : nan;
  };
  r.p50_us = us(50);
  r.p90_us = us(90);
  r.p99_us = us(99);
  r.p999_us = us(99.9);
  r.p9999_us = us(99.99);
  r.max_us = h.count() > 0 ? static_cast<double>(h.max()) / 1000 : nan;
  r.mean_us = h.count() > 0 ? h.mean() / 1000 : nan;
}

Json load_result_columns_json(const LoadResult& r) {
  Json object = Json::object();
  for (const auto& c : load_result_columns()) {
    const std::string name(c.name);
    if (auto p = std::get_if<std::string R::*>(&c.member)) {
      object[name] = r.*(*p);
    } else if (auto p = std::get_if<std::uint64_t R::*>(&c.member)) {
      object[name] = r.*(*p);
    } else {
      object[name] = r.*std::get<double R::*>(c.member);  // NaN is written as null
    }
  }
  return object;
}

std::optional<LoadResult> load_result_from_json(std::string_view text, std::string* error) {
  auto doc = parse_json(text, error);
  if (!doc) return std::nullopt;
  auto fail = [&](std::string why) -> std::optional<LoadResult> {
    if (error != nullptr) *error = std::move(why);
    return std::nullopt;
  };
  if (!doc->is_object() || !doc->contains("result") || !(*doc)["result"].is_object()) {
    return fail("no \"result\" object: not an `rtbench load --json` file");
  }
  const Json& result = (*doc)["result"];
  LoadResult r;
  for (const auto& c : load_result_columns()) {
    auto it = result.find(std::string(c.name));
    if (it == result.end()) continue;
    const Json& v = *it;
    bool ok = true;
    if (auto p = std::get_if<std::string R::*>(&c.member)) {
      ok = v.is_string();
      if (ok) r.*(*p) = v.get<std::string>();
    } else if (auto p = std::get_if<std::uint64_t R::*>(&c.member)) {
      ok = v.is_number_unsigned();
      if (ok) r.*(*p) = v.get<std::uint64_t>();
    } else {
      auto p2 = std::get<double R::*>(c.member);
      if (v.is_null()) {
        r.*p2 = std::nan("");
      } else {
        ok = v.is_number();
        if (ok) r.*p2 = v.get<double>();
      }
    }
    if (!ok) return fail("result." + std::string(c.name) + " has the wrong type");
  }
  if (auto t = doc->find("measure_start_time"); t != doc->end() && t->is_string()) {
    r.measure_start_time = t->get<std::string>();
  }
  if (auto h = doc->find("latency_histogram_ns"); h != doc->end() && h->is_string()) {
    auto histogram = LatencyHistogram::deserialize(h->get<std::string>());
    if (!histogram) return fail("latency_histogram_ns does not deserialize");
    r.latency = std::move(*histogram);
  }
  if (auto e = doc->find("error_examples"); e != doc->end() && e->is_object()) {
    for (const auto& [kind, message] : e->items()) {
      if (message.is_string()) r.error_examples.emplace_back(kind, message.get<std::string>());
    }
  }
  if (auto w = doc->find("warnings"); w != doc->end() && w->is_array()) {
    for (const auto& item : *w) {
      if (item.is_string()) r.warnings.push_back(item.get<std::string>());
    }
  }
  if (auto w = doc->find("suspects"); w != doc->end() && w->is_array()) {
    for (const auto& item : *w) {
      if (item.is_string()) r.suspects.push_back(item.get<std::string>());
    }
  }
  return r;
}

}  // namespace rtb
