#include "transports/poll/poll_client.hpp"

#include <fmt/format.h>

#include "transports/common/client_request.hpp"
#include "transports/common/client_response.hpp"

namespace rtb {

PollClient::PollClient(Loop& loop, ClientOptions options, ClientEvents& events,
                       std::uint32_t first_poll_delay_ms)
    : options_(std::move(options)),
      events_(events),
      link_(loop, options_.server, options_.source, options_.tls, options_.tunnel_to,
            options_.request_timeout_ms, counters_, *this),
      records_(events, counters_, link_),
      first_delay_ms_(first_poll_delay_ms) {
  records_.set_last_id(options_.since);
}

void PollClient::start() {
  link_.start();
  link_.retry_in(first_delay_ms_);
  // Keep-alive clients connect at once (the connection is part of what they cost); polls start at their
  // phase.
  if (!options_.connection_per_request) connect();
}

void PollClient::connect() {
  parser_ = std::make_unique<HttpResponseParser>(*this);
  link_.connect();
}

void PollClient::poll_now() {
  if (link_.stopped()) return;
  request_started_ms_ = link_.loop().now_ms();
  if (!link_.is_up()) {
    in_flight_ = true;  // sent once connected
    if (!link_.is_open()) connect();
    return;
  }
  // The previous answer is late: this poll goes out when it arrives (never two in flight).
  if (in_flight_) return;
  send_request();
}

void PollClient::send_request() {
  std::string target = fmt::format("/poll?channel={}&since={}", options_.channel, records_.last_id());
  in_flight_ = true;
  link_.send_request_head(build_get_request(options_, target, options_.connection_per_request));
  link_.expect_within(options_.request_timeout_ms);
}

std::uint64_t PollClient::link_retry_delay_ms() {
  // Fixed rate: the next poll is due one interval after this one started.
  const std::uint64_t elapsed = link_.loop().now_ms() - request_started_ms_;
  return elapsed >= options_.poll_interval_ms ? 0 : options_.poll_interval_ms - elapsed;
}

void PollClient::schedule_next() {
  if (link_.stopped()) return;
  const std::uint64_t delay = link_retry_delay_ms();
  if (delay == 0) {
    poll_now();
  } else {
    link_.retry_in(delay);
  }
}

void PollClient::on_link_up() {
  events_.on_connected();
  if (in_flight_) {
    send_request();
  } else {
    link_.cancel_deadline();  // an idle keep-alive connection waits for its first poll
  }
}

void PollClient::on_link_data(char* data, std::size_t len) {
  feed_response(*parser_, data, len, counters_);
  if (parser_->failed()) {
    in_flight_ = false;
    link_.drop(ClientErrorKind::kProtocol, parser_->error());  // the next poll reconnects, on the clock
  }
}

void PollClient::on_link_down() {
  if (in_flight_) {
    in_flight_ = false;
    link_.fail(ClientErrorKind::kReset, "connection closed before the answer");
  }
  // Keep-alive clients reconnect on their next poll; per-request clients always do.
  if (!link_.retry_pending()) schedule_next();
}

void PollClient::on_link_deadline() {
  in_flight_ = false;
  link_.drop(ClientErrorKind::kTimeout, "no answer to the poll");
}

void PollClient::on_response_head(const HttpResponseHead& head) {
  last_status_ = head.status;
  payload_before_ = counters_.payload_bytes_down;
}

void PollClient::on_response_body(std::string_view bytes) {
  if (last_status_ == 200) records_.feed(bytes);
}

void PollClient::on_response_complete(const HttpResponseHead& head) {
  in_flight_ = false;
  link_.cancel_deadline();
  ++counters_.responses;
  if (head.status == 204) {
    ++counters_.empty_responses;
  } else if (head.status == 200) {
    records_.end();
  } else {
    link_.fail(ClientErrorKind::kHttpStatus, fmt::format("HTTP {}", head.status));
  }
  // Everything of the body that was not event text is framing (ids, field names, line ends, gap records).
  counters_.framing_bytes_down += parser_->body_bytes() - (counters_.payload_bytes_down - payload_before_);
  if (!head.keep_alive || options_.connection_per_request) return;  // the server closes; next poll reconnects
  schedule_next();
}

}  // namespace rtb
