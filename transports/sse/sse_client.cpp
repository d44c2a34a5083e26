#include "transports/sse/sse_client.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "transports/http/header_tokens.hpp"
#include "transports/common/client_request.hpp"
#include "transports/common/sse_gap.hpp"

namespace rtb {

namespace {

constexpr std::string_view kEventStream = "text/event-stream";
constexpr std::uint64_t kMaxReconnectDelayMs = 3'600'000;  // a `retry:` beyond an hour is taken as an hour

// "text/event-stream", optionally with parameters ("; charset=utf-8").
bool is_event_stream(std::string_view content_type) {
  content_type = trim_ows(content_type.substr(0, content_type.find(';')));
  return iequals(content_type, kEventStream);
}

}  // namespace

SseClient::SseClient(Loop& loop, ClientOptions options, ClientEvents& events)
    : loop_(loop), options_(std::move(options)), events_(events), timer_(&SseClient::on_timer, this) {
  last_id_ = options_.since;
}

SseClient::~SseClient() {
  stop();
}

void SseClient::start() {
  stopped_ = false;
  rejected_ = false;
  connect();
}

void SseClient::stop() {
  // The SSE parser is left alone: stop() may be called from inside one of its callbacks.
  stopped_ = true;
  loop_.timers().cancel(timer_);
  timer_role_ = TimerRole::kNone;
  connection_.close();
  streaming_ = false;
}

void SseClient::connect() {
  if (stopped_) return;
  sse_.finish();  // a record cut off by the last connection's end is dropped; the last event id stays
  parser_ = std::make_unique<HttpResponseParser>(*this);
  connected_ = streaming_ = stream_over_ = eof_seen_ = false;
  int rc = connection_.open(loop_, reinterpret_cast<const sockaddr*>(&options_.server),
                            options_.source ? reinterpret_cast<const sockaddr*>(&*options_.source) : nullptr,
                            *this);
  if (rc != 0) {
    fail(ClientErrorKind::kRefused, uv_strerror(rc));
    reconnect_later();
  }
}

void SseClient::send_request() {
  std::string req = build_get_request(options_, fmt::format("/sse?channel={}", options_.channel), false);
  std::string extra = "Accept: text/event-stream\r\n";
  // Resume where the last stream left off: the id the parser holds (as a browser does), or the numeric id
  // when the parser has none (a fresh session that was given `since`, or a parser reset after an error).
  if (!sse_.last_event_id().empty()) {
    extra += fmt::format("Last-Event-ID: {}\r\n", sse_.last_event_id());
  } else if (last_id_ > 0) {
    extra += fmt::format("Last-Event-ID: {}\r\n", last_id_);
  }
  req.insert(req.size() - 2, extra);  // before the blank line that ends the head
  counters_.header_bytes_up += req.size();
  ++counters_.requests;
  connection_.write_copy(req);
  timer_role_ = TimerRole::kDeadline;
  loop_.timers().schedule(timer_, options_.request_timeout_ms);
}

void SseClient::end_stream() {
  loop_.timers().cancel(timer_);
  timer_role_ = TimerRole::kNone;
  connection_.close();
  streaming_ = false;
  reconnect_later();
}

void SseClient::reconnect_later() {
  if (stopped_ || rejected_) return;
  std::uint64_t delay = retry_ms_ ? *retry_ms_ : options_.reconnect_delay_ms;
  timer_role_ = TimerRole::kReconnect;
  loop_.timers().schedule(timer_, std::min(delay, kMaxReconnectDelayMs));
}

void SseClient::fail(ClientErrorKind kind, std::string_view detail) {
  events_.on_error(kind, detail);
}

void SseClient::on_timer(TimerEntry& entry) {
  auto& self = *static_cast<SseClient*>(entry.context);
  TimerRole role = std::exchange(self.timer_role_, TimerRole::kNone);
  if (self.stopped_) return;
  if (role == TimerRole::kDeadline) {
    self.fail(ClientErrorKind::kTimeout, "no response head for the event stream");
    self.end_stream();
  } else if (role == TimerRole::kReconnect) {
    self.connect();
  }
}

void SseClient::on_link_connected(int status) {
  if (status != 0) {
    fail(ClientErrorKind::kRefused, uv_strerror(status));
    return;  // the link closes next, and on_link_closed schedules the reconnect
  }
  connected_ = true;
  ++counters_.connects;
  events_.on_connected();
  send_request();
}

void SseClient::on_link_data(char* data, std::size_t len) {
  std::uint64_t head_before = parser_->total_head_bytes();
  parser_->feed(data, len);
  counters_.header_bytes_down += parser_->total_head_bytes() - head_before;
  // Every body byte that did not become event text is framing: field names, ids, line ends, retry, comments
  // (heartbeats), gap records, and the tail of a record still in flight.
  counters_.framing_bytes_down = body_bytes_ - counters_.payload_bytes_down;
  if (stopped_) return;
  if (parser_->failed()) {
    fail(ClientErrorKind::kProtocol, parser_->error());
    end_stream();
  } else if (sse_.failed()) {
    fail(ClientErrorKind::kProtocol, "an event stream line or event exceeds the parser's bound");
    sse_.reset();  // resumes from last_id_ (send_request falls back to it)
    end_stream();
  } else if (rejected_) {
    loop_.timers().cancel(timer_);
    timer_role_ = TimerRole::kNone;
    connection_.close();
  } else if (stream_over_) {
    end_stream();
  }
}

void SseClient::on_link_eof() {
  eof_seen_ = true;
  parser_->finish();  // the stream's body is delimited by the connection's end
}

void SseClient::on_link_closed() {
  if (timer_role_ == TimerRole::kDeadline) {
    loop_.timers().cancel(timer_);
    timer_role_ = TimerRole::kNone;
  }
  counters_.framing_bytes_down = body_bytes_ - counters_.payload_bytes_down;
  bool had_stream = streaming_;
  streaming_ = false;
  if (stopped_ || rejected_ || !connected_) return;  // a failed connect was reported as kRefused
  // A server ends a stream by closing cleanly (shutdown, slow-consumer drop): the client just comes back.
  // A reset, or a close before any answer, is worth reporting.
  if (!had_stream) {
    fail(ClientErrorKind::kReset, "connection closed before the response head");
  } else if (!eof_seen_) {
    fail(ClientErrorKind::kReset, "event stream reset");
  }
  reconnect_later();
}

void SseClient::on_response_head(const HttpResponseHead& head) {
  if (stopped_) return;
  if (head.status != 200) {
    rejected_ = true;
    fail(ClientErrorKind::kHttpStatus, fmt::format("HTTP {}", head.status));
    return;
  }
  if (!is_event_stream(head.header("Content-Type"))) {
    rejected_ = true;
    fail(ClientErrorKind::kProtocol,
         fmt::format("Content-Type {} is not text/event-stream", head.header("Content-Type")));
    return;
  }
  streaming_ = true;
  loop_.timers().cancel(timer_);
  timer_role_ = TimerRole::kNone;
}

void SseClient::on_response_body(std::string_view bytes) {
  body_bytes_ += bytes.size();
  if (streaming_ && !stopped_) sse_.feed(bytes);
}

void SseClient::on_response_complete(const HttpResponseHead&) {
  stream_over_ = true;
}

void SseClient::on_sse_event(const SseEvent& ev) {
  if (stopped_) return;
  if (ev.type == kSseGapType) {
    std::uint64_t first = 0, last = 0;
    if (sse_parse_gap(ev.data, first, last)) events_.on_gap(first, last);
    return;
  }
  if (ev.type != "message") return;
  std::uint64_t id = 0;
  if (!sse_parse_id(ev.last_event_id, id)) return;
  if (id > last_id_) last_id_ = id;
  counters_.payload_bytes_down += ev.data.size();
  ++counters_.events;
  events_.on_event(id, ev.data);
}

void SseClient::on_sse_retry(std::uint64_t ms) {
  retry_ms_ = ms;
}

}  // namespace rtb
