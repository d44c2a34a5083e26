#include "transports/sse/sse_client.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "transports/common/client_request.hpp"
#include "transports/common/client_response.hpp"
#include "transports/http/header_tokens.hpp"

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
    : options_(std::move(options)),
      events_(events),
      link_(loop, options_.server, options_.source, options_.tls, options_.tunnel_to, options_.request_timeout_ms, counters_,
            *this),
      records_(events, counters_, link_) {
  records_.set_last_id(options_.since);
}

void SseClient::start() {
  rejected_ = false;
  link_.start();
  connect();
}

void SseClient::stop() {
  // The event reader is left alone: stop() may be called from inside one of its callbacks.
  link_.stop();
  streaming_ = false;
}

void SseClient::connect() {
  if (link_.stopped()) return;
  records_.end();  // a record cut off by the last connection's end is dropped; the last event id stays
  parser_ = std::make_unique<HttpResponseParser>(*this);
  streaming_ = stream_over_ = eof_seen_ = false;
  link_.connect();
}

void SseClient::send_request() {
  std::string req = build_get_request(options_, fmt::format("/sse?channel={}", options_.channel), false);
  std::string extra = "Accept: text/event-stream\r\n";
  // Resume where the last stream left off: the id the stream set (as a browser does), or the numeric id
  // when there is none (a fresh session that was given `since`, or a reader reset after an error).
  if (!records_.resume_id().empty()) {
    extra += fmt::format("Last-Event-ID: {}\r\n", records_.resume_id());
  } else if (records_.last_id() > 0) {
    extra += fmt::format("Last-Event-ID: {}\r\n", records_.last_id());
  }
  req.insert(req.size() - 2, extra);  // before the blank line that ends the head
  link_.send_request_head(req);
  link_.expect_within(options_.request_timeout_ms);
}

void SseClient::end_stream() {
  streaming_ = false;
  link_.close();
  if (!rejected_) link_.retry_later();
}

std::uint64_t SseClient::link_retry_delay_ms() {
  return std::min(records_.retry_ms().value_or(options_.reconnect_delay_ms), kMaxReconnectDelayMs);
}

void SseClient::on_link_deadline() {
  link_.fail(ClientErrorKind::kTimeout, "no response head for the event stream");
  end_stream();
}

void SseClient::on_link_up() {
  events_.on_connected();
  send_request();
}

void SseClient::on_link_data(char* data, std::size_t len) {
  feed_response(*parser_, data, len, counters_);
  // Every body byte that did not become event text is framing: field names, ids, line ends, retry, comments
  // (heartbeats), gap records, and the tail of a record still in flight.
  counters_.framing_bytes_down = body_bytes_ - counters_.payload_bytes_down;
  if (link_.stopped()) return;
  if (parser_->failed()) {
    link_.fail(ClientErrorKind::kProtocol, parser_->error());
    end_stream();
  } else if (records_.failed()) {
    link_.fail(ClientErrorKind::kProtocol, "an event stream line or event exceeds the parser's bound");
    records_.reset();  // resumes from last_id() (send_request falls back to it)
    end_stream();
  } else if (rejected_) {
    link_.close();
  } else if (stream_over_) {
    end_stream();
  }
}

void SseClient::on_link_eof() {
  eof_seen_ = true;
  parser_->finish();  // the stream's body is delimited by the connection's end
}

void SseClient::on_link_down() {
  counters_.framing_bytes_down = body_bytes_ - counters_.payload_bytes_down;
  const bool had_stream = std::exchange(streaming_, false);
  if (rejected_) return;
  // A server ends a stream by closing cleanly (shutdown, slow-consumer drop): the client just comes back.
  // A reset, or a close before any answer, is worth reporting.
  if (!had_stream) {
    link_.fail(ClientErrorKind::kReset, "connection closed before the response head");
  } else if (!eof_seen_) {
    link_.fail(ClientErrorKind::kReset, "event stream reset");
  }
  link_.retry_later();
}

void SseClient::on_response_head(const HttpResponseHead& head) {
  if (link_.stopped()) return;
  if (head.status != 200) {
    rejected_ = true;
    link_.fail(ClientErrorKind::kHttpStatus, fmt::format("HTTP {}", head.status));
    return;
  }
  if (!is_event_stream(head.header("Content-Type"))) {
    rejected_ = true;
    link_.fail(ClientErrorKind::kProtocol,
               fmt::format("Content-Type {} is not text/event-stream", head.header("Content-Type")));
    return;
  }
  streaming_ = true;
  link_.cancel_deadline();
}

void SseClient::on_response_body(std::string_view bytes) {
  body_bytes_ += bytes.size();
  if (streaming_ && !link_.stopped()) records_.feed(bytes);
}

void SseClient::on_response_complete(const HttpResponseHead&) {
  stream_over_ = true;
}

}  // namespace rtb
