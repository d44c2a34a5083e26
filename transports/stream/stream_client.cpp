#include "transports/stream/stream_client.hpp"

#include <fmt/format.h>

#include <string>
#include <utility>

#include "transports/common/client_request.hpp"
#include "transports/http/header_tokens.hpp"

namespace rtb {

namespace {

// "text/event-stream", optionally with parameters ("; charset=utf-8").
bool is_event_stream(std::string_view content_type) {
  content_type = trim_ows(content_type.substr(0, content_type.find(';')));
  return iequals(content_type, "text/event-stream");
}

}  // namespace

StreamClient::StreamClient(Loop& loop, ClientOptions options, ClientEvents& events)
    : options_(std::move(options)),
      events_(events),
      link_(loop, options_.server, options_.source, options_.tls, options_.tunnel_to, options_.request_timeout_ms, counters_,
            *this),
      records_(events, counters_, link_) {
  records_.set_last_id(options_.since);
}

void StreamClient::start() {
  link_.start();
  connect();
}

void StreamClient::stop() {
  // The record reader is left alone: stop() may be called from inside one of its callbacks.
  link_.stop();
  streaming_ = false;
}

void StreamClient::connect() {
  if (link_.stopped()) return;
  records_.end();  // a record cut off by the last connection's end is dropped; its id was not taken
  parser_ = std::make_unique<HttpResponseParser>(*this);
  head_seen_ = streaming_ = stream_over_ = refused_ = false;
  link_.connect();
}

void StreamClient::send_request() {
  // The resume point is always in the query: a fresh session asks for what follows the id it was given.
  const std::string target = fmt::format("/stream?channel={}&since={}", options_.channel, records_.last_id());
  link_.send_request_head(build_get_request(options_, target, false));
  link_.expect_within(options_.request_timeout_ms);
}

void StreamClient::end_stream() {
  streaming_ = false;
  link_.close();
  link_.retry_later();
}

void StreamClient::update_framing() {
  // Every body byte that did not become event text is framing, as are the chunks' own lines.
  counters_.framing_bytes_down = body_bytes_ + chunk_framing_ - counters_.payload_bytes_down;
}

void StreamClient::on_link_up() {
  events_.on_connected();
  send_request();
}

void StreamClient::on_link_deadline() {
  link_.fail(ClientErrorKind::kTimeout, "no response head for the stream");
  end_stream();
}

void StreamClient::on_link_data(char* data, std::size_t len) {
  std::string_view in(data, len);
  // Until the head is complete it is fed a line at a time: llhttp counts head and chunk framing together, and
  // stopping at the head's last line tells the two apart exactly, whatever else arrived in the same read.
  // (feed_response would count chunk lines as header bytes; here they are framing, like a WebSocket frame
  // header, since they are paid per event.)
  while (!in.empty() && !head_seen_ && !parser_->failed()) {
    const std::size_t eol = in.find('\n');
    const std::size_t n = eol == std::string_view::npos ? in.size() : eol + 1;
    const std::uint64_t before = parser_->total_head_bytes();
    parser_->feed(in.data(), n);
    counters_.header_bytes_down += parser_->total_head_bytes() - before;
    in.remove_prefix(n);
  }
  if (!in.empty() && !parser_->failed()) {
    const std::uint64_t before = parser_->total_head_bytes();
    parser_->feed(in.data(), in.size());
    chunk_framing_ += parser_->total_head_bytes() - before;
  }
  update_framing();
  if (link_.stopped()) return;
  if (parser_->failed()) {
    // Bad chunk framing lands here too: a chunk size that is not hex, a chunk without its CRLF.
    link_.fail(ClientErrorKind::kProtocol, parser_->error());
    end_stream();
  } else if (records_.failed()) {
    link_.fail(ClientErrorKind::kProtocol, "a stream line or record exceeds the parser's bound");
    records_.reset();  // last_id() stays: the next request resumes from it
    end_stream();
  } else if (refused_ || stream_over_) {
    end_stream();
  }
}

void StreamClient::on_link_eof() {
  parser_->finish();  // completes a body delimited by the connection's end (an HTTP/1.0-style answer)
}

void StreamClient::on_link_down() {
  update_framing();
  const bool had_stream = std::exchange(streaming_, false);
  if (!refused_ && !stream_over_) {
    // The last chunk is how the server ends a stream; a body cut short is a drop: slow-consumer eviction, a
    // crash, or a reset on the way.
    link_.fail(ClientErrorKind::kReset, had_stream ? "stream cut before its last chunk"
                                                   : "connection closed before the response head");
  }
  link_.retry_later();
}

void StreamClient::on_response_head(const HttpResponseHead& head) {
  head_seen_ = true;
  if (link_.stopped()) return;
  link_.cancel_deadline();
  // Unlike an EventSource, a fetch() reader sees the status and may come back; so does this client.
  if (head.status != 200) {
    refused_ = true;
    link_.fail(ClientErrorKind::kHttpStatus, fmt::format("HTTP {}", head.status));
    return;
  }
  if (!is_event_stream(head.header("Content-Type"))) {
    refused_ = true;
    link_.fail(ClientErrorKind::kProtocol,
               fmt::format("Content-Type {} is not text/event-stream", head.header("Content-Type")));
    return;
  }
  streaming_ = true;
}

void StreamClient::on_response_body(std::string_view bytes) {
  body_bytes_ += bytes.size();
  if (streaming_ && !link_.stopped()) records_.feed(bytes);
}

void StreamClient::on_response_complete(const HttpResponseHead&) {
  ++counters_.responses;
  stream_over_ = true;
}

}  // namespace rtb
