#include "transports/server/worker.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "transports/http/query_params.hpp"
#include "transports/net/tls_stream.hpp"
#include "transports/server/debug_drop.hpp"
#include "transports/server/publish_endpoint.hpp"
#include "transports/table/transport_table.hpp"
#include "transports/web/demo_page.hpp"

namespace rtb {

namespace {

std::uint64_t process_rss_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long size = 0, resident = 0;
  int n = std::fscanf(f, "%lu %lu", &size, &resident);
  std::fclose(f);
  return n == 2 ? resident * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE)) : 0;
}

// Test hook (enable_test_hooks only): blocks the whole loop, as a GC pause or a slow handler would.
void handle_debug_stall(HttpConnection& connection, const HttpRequest& request) {
  constexpr std::uint64_t kMaxStallMs = 2000;
  auto raw = QueryParams(request.query()).raw("ms");
  std::optional<std::uint64_t> ms = raw ? parse_decimal_u64(*raw) : std::nullopt;
  if (!ms || *ms > kMaxStallMs) {
    connection.respond_text(400, "ms must be 0..2000");
    return;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(*ms));
  connection.respond_text(200, fmt::format("stalled {} ms", *ms));
}

}  // namespace

Worker::Worker(Loop& loop, ServerConfig config) : Worker(loop, std::move(config), nullptr) {}

Worker::Worker(Loop& loop, ServerConfig config, Broker& broker) : Worker(loop, std::move(config), &broker) {}

Worker::Worker(Loop& loop, ServerConfig config, Broker* broker)
    : loop_(loop),
      config_(std::move(config)),
      hub_(broker != nullptr ? Hub(config_.hub, *broker, loop.timers()) : Hub(config_.hub)),
      listener_(
          loop, config_.listen, [this](TcpConnection& c) { on_main_accept(c); },
          [this](TcpConnection& c) { on_refuse(c); }) {
  http_.limits = config_.http;
  if (!config_.tls.cert_file.empty()) {
    tls_ = TlsContext::server(config_.tls, setup_error_);
    if (tls_ && config_.tls_port >= 0) {
      ListenerConfig tls_listen = config_.listen;
      tls_listen.port = config_.tls_port;
      // Refused connections at the cap are closed bare: a busy answer would need the handshake first.
      tls_listener_ =
          std::make_unique<TcpListener>(loop, tls_listen, [this](TcpConnection& c) { on_accept_tls(c); });
    }
  }
  const TransportContext context{hub_, config_.transports, config_.batch};
  for (const TransportModule* module : transport_table()) transports_.push_back(module->make_server(context));
  add_routes();
}

Worker::~Worker() {
  // Connections and their sessions refer to this object (context, transports, hub): none may outlive it.
  // After a loop stopped early (a second signal) some are still open: close them, run their close callbacks.
  listener_.close();
  if (tls_listener_) tls_listener_->close();
  force_close_all();
  for (int turn = 0; http_.first != nullptr && turn < 16; ++turn) uv_run(loop_.get(), UV_RUN_NOWAIT);
}

void Worker::add_routes() {
  for (auto& t : transports_) t->add_routes(http_.router);
  http_.router.add("/publish", {HttpMethod::kPost},
                   [this](HttpConnection& c, const HttpRequest& r) { handle_publish(hub_, c, r); });
  if (config_.enable_test_hooks) {
    http_.router.add("/debug/stall", {HttpMethod::kPost},
                     [](HttpConnection& c, const HttpRequest& r) { handle_debug_stall(c, r); });
    http_.router.add("/debug/drop", {HttpMethod::kPost},
                     [this](HttpConnection& c, const HttpRequest& r) { handle_debug_drop(http_, c, r); });
  }
  http_.router.add("/stats", {HttpMethod::kGet, HttpMethod::kHead},
                   [this](HttpConnection& c, const HttpRequest&) {
                     std::string body = stats_view_ ? stats_view_(stats_json()) : stats_json();
                     ResponseSpec spec;
                     spec.content_type = "application/json";
                     spec.extra_headers = "Cache-Control: no-store\r\n";
                     spec.body = body;
                     c.respond(spec);
                   });
  add_demo_page_routes(http_.router);  // GET / and its assets: the live demo page (transports/web/)
}

int Worker::start() {
  if (!setup_error_.empty()) return UV_EINVAL;
  int rc = listener_.listen();
  if (rc == 0 && tls_listener_) rc = tls_listener_->listen();
  return rc;
}

int Worker::tls_port() const {
  if (!tls_) return -1;
  return tls_listener_ ? tls_listener_->bound_port() : listener_.bound_port();
}

void Worker::on_main_accept(TcpConnection& connection) {
  if (tls_ && !tls_listener_) {
    on_accept_tls(connection);
  } else {
    on_accept(connection);
  }
}

void Worker::on_accept_tls(TcpConnection& connection) {
  if (shutting_down_) {
    connection.close();
    return;
  }
  // The header timeout starts now, so a handshake that stops halfway (a TLS slowloris) is bounded by it.
  auto http = std::make_unique<HttpConnection>(http_);
  HttpConnection& raw = *http;
  TlsStream::attach(connection, *tls_, std::move(http));
  raw.start();
}

void Worker::on_accept(TcpConnection& connection) {
  if (shutting_down_) {
    connection.close();
    return;
  }
  connection.set_handler(std::make_unique<HttpConnection>(http_));
  static_cast<HttpConnection*>(connection.handler())->start();
}

void Worker::on_refuse(TcpConnection& connection) {
  // At the connection cap the request is still read, so that an EventSource is refused by a bare close (it
  // reconnects) and everything else by 503 with Retry-After.
  if (shutting_down_) {
    connection.close();
    return;
  }
  connection.set_handler(std::make_unique<HttpConnection>(http_));
  auto* http = static_cast<HttpConnection*>(connection.handler());
  http->refuse_as_busy();
  http->start();
}

std::string Worker::stats_json() const {
  const NetCounters& net = const_cast<Loop&>(loop_).counters();
  const HttpCounters& http = http_.counters;
  std::string out = fmt::format("{{\"connections\":{{\"open\":{},\"total\":{},\"refused\":{}",
                                net.connections_open, net.connections_total, listener_.refused());
  for (const auto& t : transports_) out += fmt::format(",\"{}\":{}", t->name(), t->stats().sessions_open);
  out += fmt::format("}},\"events\":{{\"published\":{},\"deliveries\":{},\"channels\":{}}}",
                     const_cast<Hub&>(hub_).counters().published,
                     const_cast<Hub&>(hub_).counters().deliveries, hub_.channel_count());
  out += fmt::format(",\"bytes\":{{\"in\":{},\"out\":{}}}", net.bytes_in, net.bytes_out);
  out += fmt::format(
      ",\"http\":{{\"requests\":{},\"2xx\":{},\"4xx\":{},\"5xx\":{},\"parse_errors\":{},\"header_timeouts\":{"
      "}}}",
      http.requests, http.responses_2xx, http.responses_4xx, http.responses_5xx, http.parse_errors,
      http.header_timeouts);
  out += ",\"transports\":{";
  bool first = true;
  for (const auto& t : transports_) {
    const TransportStats& s = t->stats();
    out += fmt::format(
        "{}\"{}\":{{\"requests\":{},\"sessions_open\":{},\"sessions_total\":{},\"events_sent\":{},"
        "\"empty_responses\":{},\"dropped_slow\":{},\"dropped_silent\":{},\"protocol_errors\":{}}}",
        first ? "" : ",", t->name(), s.requests, s.sessions_open, s.sessions_total, s.events_sent,
        s.empty_responses, s.dropped_slow, s.dropped_silent, s.protocol_errors);
    first = false;
  }
  if (tls_) {
    const TlsCounters& c = tls_->counters();
    out += fmt::format(
        "}},\"tls\":{{\"handshakes\":{},\"resumed\":{},\"tls12\":{},\"tls13\":{},\"handshake_failures\":{},"
        "\"handshakes_incomplete\":{},"
        "\"plain_http\":{},\"renegotiations_refused\":{},\"record_bytes_in\":{},\"record_bytes_out\":{}",
        c.handshakes, c.resumed, c.tls12, c.tls13, c.handshake_failures, c.handshakes_incomplete,
        c.plain_http, c.renegotiations_refused, c.record_bytes_in, c.record_bytes_out);
  }
  std::uint64_t dropped_slow = 0;
  for (const auto& t : transports_) dropped_slow += t->stats().dropped_slow;
  out += fmt::format("}},\"broker\":{},\"dropped_slow_consumers\":{},\"rss_bytes\":{}}}",
                     const_cast<Hub&>(hub_).broker().stats_json(), dropped_slow, process_rss_bytes());
  return out;
}

void Worker::shutdown() {
  if (shutting_down_) return;
  shutting_down_ = true;
  listener_.close();
  if (tls_listener_) tls_listener_->close();
  for (auto& t : transports_) t->shutdown();
  for (HttpConnection* c = http_.first; c != nullptr;) {
    HttpConnection* next = c->next();
    c->begin_shutdown();
    c = next;
  }
  uv_timer_init(loop_.get(), grace_timer_.get());
  grace_timer_.set_initialised();
  grace_timer_->data = this;
  uv_timer_start(
      grace_timer_.get(), [](uv_timer_t* t) { static_cast<Worker*>(t->data)->force_close_all(); },
      config_.shutdown_grace_ms, 0);
  // The grace timer must not hold the loop open once every connection is gone.
  uv_unref(grace_timer_.as_handle());
}

void Worker::force_close_all() {
  for (HttpConnection* c = http_.first; c != nullptr; c = c->next()) c->close();
}

}  // namespace rtb
