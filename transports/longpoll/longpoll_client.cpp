#include "transports/longpoll/longpoll_client.hpp"

#include <fmt/format.h>

#include "transports/common/client_request.hpp"

namespace rtb {

LongPollClient::LongPollClient(Loop& loop, ClientOptions options, ClientEvents& events)
    : loop_(loop),
      options_(std::move(options)),
      events_(events),
      batch_(events, counters_),
      timer_(&LongPollClient::on_timer, this) {
  batch_.set_last_id(options_.since);
}

LongPollClient::~LongPollClient() {
  stop();
}

void LongPollClient::start() {
  stopped_ = false;
  connect();
}

void LongPollClient::stop() {
  stopped_ = true;
  loop_.timers().cancel(timer_);
  timer_role_ = TimerRole::kNone;
  if (in_response_) account_body();
  connection_.close();
  in_flight_ = false;
}

void LongPollClient::connect() {
  if (stopped_) return;
  // A new connection gets a new parser; the old one is never replaced from inside its own callbacks.
  parser_ = std::make_unique<HttpResponseParser>(*this);
  in_response_ = false;
  int rc = connection_.open(loop_, reinterpret_cast<const sockaddr*>(&options_.server),
                            options_.source ? reinterpret_cast<const sockaddr*>(&*options_.source) : nullptr,
                            *this);
  if (rc != 0) {
    fail(ClientErrorKind::kRefused, uv_strerror(rc));
    retry_later();
  }
}

void LongPollClient::send_request() {
  std::string target = fmt::format("/longpoll?channel={}&since={}&timeout={}", options_.channel,
                                   batch_.last_id(), options_.longpoll_timeout_ms);
  std::string req = build_get_request(options_, target, false);
  counters_.header_bytes_up += req.size();
  ++counters_.requests;
  in_flight_ = true;
  connection_.write_copy(req);
  // The server holds the request up to its timeout; the answer may then take request_timeout_ms to come.
  timer_role_ = TimerRole::kDeadline;
  loop_.timers().schedule(
      timer_, static_cast<std::uint64_t>(options_.longpoll_timeout_ms) + options_.request_timeout_ms);
}

void LongPollClient::retry_later() {
  if (stopped_) return;
  timer_role_ = TimerRole::kRetry;
  loop_.timers().schedule(timer_, options_.reconnect_delay_ms);
}

void LongPollClient::account_body() {
  in_response_ = false;
  if (!parser_) return;
  counters_.framing_bytes_down += parser_->body_bytes() - (counters_.payload_bytes_down - payload_before_);
}

void LongPollClient::fail(ClientErrorKind kind, std::string_view detail) {
  events_.on_error(kind, detail);
}

void LongPollClient::on_timer(TimerEntry& entry) {
  auto& self = *static_cast<LongPollClient*>(entry.context);
  TimerRole role = std::exchange(self.timer_role_, TimerRole::kNone);
  if (self.stopped_) return;
  if (role == TimerRole::kDeadline) {
    self.fail(ClientErrorKind::kTimeout, "no answer to the long poll");
    if (self.in_response_) self.account_body();
    self.connection_.close();
    self.in_flight_ = false;
    self.retry_later();
    return;
  }
  if (role == TimerRole::kRetry) {
    if (self.connection_.is_open()) {
      self.send_request();
    } else {
      self.connect();
    }
  }
}

void LongPollClient::on_link_connected(int status) {
  if (status != 0) {
    fail(ClientErrorKind::kRefused, uv_strerror(status));
    return;  // the link closes next, and on_link_closed schedules the retry
  }
  ++counters_.connects;
  events_.on_connected();
  send_request();
}

void LongPollClient::on_link_data(char* data, std::size_t len) {
  std::uint64_t head_before = parser_->total_head_bytes();
  parser_->feed(data, len);
  counters_.header_bytes_down += parser_->total_head_bytes() - head_before;
  if (parser_->failed()) {
    fail(ClientErrorKind::kProtocol, parser_->error());
    if (in_response_) account_body();
    loop_.timers().cancel(timer_);
    connection_.close();
    in_flight_ = false;
    retry_later();
  }
}

void LongPollClient::on_link_eof() {
  // A response delimited by the connection's end completes here.
  parser_->finish();
}

void LongPollClient::on_link_closed() {
  if (in_response_) account_body();
  bool expected = close_expected_;
  close_expected_ = false;
  if (in_flight_) {
    in_flight_ = false;
    if (!stopped_) fail(ClientErrorKind::kReset, "connection closed before the answer");
  }
  if (stopped_) return;
  if (timer_role_ == TimerRole::kDeadline) {
    loop_.timers().cancel(timer_);
    timer_role_ = TimerRole::kNone;
  }
  if (timer_role_ == TimerRole::kRetry) return;
  // A server that answered with `Connection: close` closed as announced: poll again at once, from a new
  // connection. Anything else is a drop: pause first, so a failing server is not hammered.
  if (expected) {
    connect();
  } else {
    retry_later();
  }
}

void LongPollClient::on_response_head(const HttpResponseHead& head) {
  last_status_ = head.status;
  payload_before_ = counters_.payload_bytes_down;
  in_response_ = true;
}

void LongPollClient::on_response_body(std::string_view bytes) {
  if (last_status_ == 200) batch_.feed(bytes);
}

void LongPollClient::on_response_complete(const HttpResponseHead& head) {
  in_flight_ = false;
  loop_.timers().cancel(timer_);
  timer_role_ = TimerRole::kNone;
  ++counters_.responses;
  bool ok = true;
  if (head.status == 204) {
    ++counters_.empty_responses;
  } else if (head.status == 200) {
    batch_.end_batch();
  } else {
    ok = false;
    fail(ClientErrorKind::kHttpStatus, fmt::format("HTTP {}", head.status));
  }
  account_body();
  if (stopped_) return;
  if (!head.keep_alive) {
    // The server closes this connection; the next poll goes out on a new one (on_link_closed).
    close_expected_ = ok;
    return;
  }
  if (ok) {
    send_request();
  } else {
    retry_later();  // an error status answered at once would otherwise become a busy loop
  }
}

}  // namespace rtb
