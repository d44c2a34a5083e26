#include "transports/longpoll/longpoll_client.hpp"

#include <fmt/format.h>

#include "transports/common/client_request.hpp"
#include "transports/common/client_response.hpp"

namespace rtb {

LongPollClient::LongPollClient(Loop& loop, ClientOptions options, ClientEvents& events)
    : options_(std::move(options)),
      events_(events),
      link_(loop, options_.server, options_.source, options_.tls, options_.tunnel_to, options_.request_timeout_ms, counters_,
            *this),
      records_(events, counters_, link_) {
  records_.set_last_id(options_.since);
}

void LongPollClient::start() {
  link_.start();
  connect();
}

void LongPollClient::stop() {
  if (in_response_) account_body();
  link_.stop();
  in_flight_ = false;
}

void LongPollClient::connect() {
  // A new connection gets a new parser; the old one is never replaced from inside its own callbacks.
  parser_ = std::make_unique<HttpResponseParser>(*this);
  in_response_ = false;
  link_.connect();
}

void LongPollClient::send_request() {
  std::string target = fmt::format("/longpoll?channel={}&since={}&timeout={}", options_.channel,
                                   records_.last_id(), options_.longpoll_timeout_ms);
  in_flight_ = true;
  link_.send_request_head(build_get_request(options_, target, false));
  // The server holds the request up to its timeout; the answer may then take request_timeout_ms to come.
  link_.expect_within(static_cast<std::uint64_t>(options_.longpoll_timeout_ms) + options_.request_timeout_ms);
}

void LongPollClient::account_body() {
  in_response_ = false;
  if (!parser_) return;
  counters_.framing_bytes_down += parser_->body_bytes() - (counters_.payload_bytes_down - payload_before_);
}

void LongPollClient::on_link_retry() {
  if (link_.is_up()) {
    send_request();
  } else {
    connect();
  }
}

void LongPollClient::on_link_deadline() {
  if (in_response_) account_body();
  in_flight_ = false;
  link_.drop(ClientErrorKind::kTimeout, "no answer to the long poll");
}

void LongPollClient::on_link_up() {
  events_.on_connected();
  send_request();
}

void LongPollClient::on_link_data(char* data, std::size_t len) {
  feed_response(*parser_, data, len, counters_);
  if (parser_->failed()) {
    if (in_response_) account_body();
    in_flight_ = false;
    link_.drop(ClientErrorKind::kProtocol, parser_->error());
  }
}

void LongPollClient::on_link_down() {
  if (in_response_) account_body();
  const bool expected = std::exchange(close_expected_, false);
  if (in_flight_) {
    in_flight_ = false;
    link_.fail(ClientErrorKind::kReset, "connection closed before the answer");
  }
  if (link_.retry_pending()) return;
  // A server that answered with `Connection: close` closed as announced: poll again at once, from a new
  // connection. Anything else is a drop: pause first, so a failing server is not hammered.
  if (expected) {
    connect();
  } else {
    link_.retry_later();
  }
}

void LongPollClient::on_response_head(const HttpResponseHead& head) {
  last_status_ = head.status;
  payload_before_ = counters_.payload_bytes_down;
  in_response_ = true;
}

void LongPollClient::on_response_body(std::string_view bytes) {
  if (last_status_ == 200) records_.feed(bytes);
}

void LongPollClient::on_response_complete(const HttpResponseHead& head) {
  in_flight_ = false;
  link_.cancel_deadline();
  ++counters_.responses;
  bool ok = true;
  if (head.status == 204) {
    ++counters_.empty_responses;
  } else if (head.status == 200) {
    records_.end();
  } else {
    ok = false;
    link_.fail(ClientErrorKind::kHttpStatus, fmt::format("HTTP {}", head.status));
  }
  account_body();
  if (link_.stopped()) return;
  if (!head.keep_alive) {
    // The server closes this connection; the next poll goes out on a new one (on_link_down).
    close_expected_ = ok;
    return;
  }
  if (ok) {
    send_request();
  } else {
    link_.retry_later();  // an error status answered at once would otherwise become a busy loop
  }
}

}  // namespace rtb
