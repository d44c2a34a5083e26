#include "transports/poll/poll_client.hpp"

#include <fmt/format.h>

#include "transports/common/client_request.hpp"

namespace rtb {

PollClient::PollClient(Loop& loop, ClientOptions options, ClientEvents& events,
                       std::uint32_t first_poll_delay_ms)
    : loop_(loop),
      options_(std::move(options)),
      events_(events),
      batch_(events, counters_),
      timer_(&PollClient::on_timer, this),
      first_delay_ms_(first_poll_delay_ms) {
  batch_.set_last_id(options_.since);
}

PollClient::~PollClient() {
  stop();
}

void PollClient::start() {
  stopped_ = false;
  // Keep-alive clients connect at once (the connection is part of what they cost); polls start at their
  // phase.
  if (!options_.connection_per_request) {
    parser_ = std::make_unique<HttpResponseParser>(*this);
    int rc = connection_.open(
        loop_, reinterpret_cast<const sockaddr*>(&options_.server),
        options_.source ? reinterpret_cast<const sockaddr*>(&*options_.source) : nullptr, *this);
    if (rc != 0) {
      fail(ClientErrorKind::kRefused, uv_strerror(rc));
      return;
    }
  }
  loop_.timers().schedule(timer_, first_delay_ms_);
}

void PollClient::stop() {
  stopped_ = true;
  loop_.timers().cancel(timer_);
  connection_.close();
}

void PollClient::on_timer(TimerEntry& entry) {
  static_cast<PollClient*>(entry.context)->poll_now();
}

void PollClient::poll_now() {
  if (stopped_) return;
  request_started_ms_ = loop_.now_ms();
  if (in_flight_) {
    // The previous answer is late: this poll goes out when it arrives (never two in flight).
    return;
  }
  if (!connection_.is_open()) {
    parser_ = std::make_unique<HttpResponseParser>(*this);
    int rc = connection_.open(
        loop_, reinterpret_cast<const sockaddr*>(&options_.server),
        options_.source ? reinterpret_cast<const sockaddr*>(&*options_.source) : nullptr, *this);
    if (rc != 0) {
      fail(ClientErrorKind::kRefused, uv_strerror(rc));
      schedule_next();
      return;
    }
    in_flight_ = true;  // sent once connected
    return;
  }
  send_request();
}

void PollClient::send_request() {
  std::string target = fmt::format("/poll?channel={}&since={}", options_.channel, batch_.last_id());
  std::string req = build_get_request(options_, target, options_.connection_per_request);
  counters_.header_bytes_up += req.size();
  ++counters_.requests;
  in_flight_ = true;
  connection_.write_copy(req);
}

void PollClient::schedule_next() {
  if (stopped_) return;
  // Fixed rate: the next poll is due one interval after this one started.
  std::uint64_t elapsed = loop_.now_ms() - request_started_ms_;
  std::uint64_t delay = elapsed >= options_.poll_interval_ms ? 0 : options_.poll_interval_ms - elapsed;
  if (delay == 0) {
    poll_now();
  } else {
    loop_.timers().schedule(timer_, delay);
  }
}

void PollClient::fail(ClientErrorKind kind, std::string_view detail) {
  events_.on_error(kind, detail);
}

void PollClient::on_link_connected(int status) {
  if (status != 0) {
    in_flight_ = false;
    fail(ClientErrorKind::kRefused, uv_strerror(status));
    return;
  }
  ++counters_.connects;
  events_.on_connected();
  if (in_flight_) send_request();
}

void PollClient::on_link_data(char* data, std::size_t len) {
  std::uint64_t head_before = parser_->total_head_bytes();
  parser_->feed(data, len);
  counters_.header_bytes_down += parser_->total_head_bytes() - head_before;
  if (parser_->failed()) {
    fail(ClientErrorKind::kProtocol, parser_->error());
    connection_.close();
    in_flight_ = false;
    schedule_next();
  }
}

void PollClient::on_link_closed() {
  if (in_flight_) {
    in_flight_ = false;
    if (!stopped_) fail(ClientErrorKind::kReset, "connection closed before the answer");
  }
  if (stopped_) return;
  // Keep-alive clients reconnect on their next poll; per-request clients always do.
  if (!timer_.scheduled()) schedule_next();
}

void PollClient::on_response_head(const HttpResponseHead& head) {
  last_status_ = head.status;
  payload_before_ = counters_.payload_bytes_down;
}

void PollClient::on_response_body(std::string_view bytes) {
  if (last_status_ == 200) batch_.feed(bytes);
}

void PollClient::on_response_complete(const HttpResponseHead& head) {
  in_flight_ = false;
  ++counters_.responses;
  if (head.status == 204) {
    ++counters_.empty_responses;
  } else if (head.status == 200) {
    batch_.end_batch();
  } else {
    fail(ClientErrorKind::kHttpStatus, fmt::format("HTTP {}", head.status));
  }
  // Everything of the body that was not event text is framing (ids, field names, line ends, gap records).
  counters_.framing_bytes_down += parser_->body_bytes() - (counters_.payload_bytes_down - payload_before_);
  if (!head.keep_alive || options_.connection_per_request) return;  // the server closes; next poll reconnects
  schedule_next();
}

}  // namespace rtb
