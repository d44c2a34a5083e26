#include "harness/scenario/request_loop_client.hpp"

#include <fmt/format.h>

#include "harness/scenario/payload_stamp.hpp"

namespace rtb {

RequestLoopClient::RequestLoopClient(Loop& loop, const RoundTripTarget& target, SharedBuffer request,
                                     RoundTripTally& tally)
    : RoundTripClient(tally),
      loop_(loop),
      target_(target),
      request_(std::move(request)),
      in_flight_(target.pipeline),
      reconnect_timer_(&RequestLoopClient::on_timer, this) {}

RequestLoopClient::~RequestLoopClient() {
  stop();
}

void RequestLoopClient::open() {
  mark_connecting();
  connect();
}

void RequestLoopClient::connect() {
  connected_ = false;
  close_after_read_ = false;
  in_flight_.clear();
  const int rc =
      connection_.open(loop_, reinterpret_cast<const sockaddr*>(&target_.server),
                       target_.source ? reinterpret_cast<const sockaddr*>(&*target_.source) : nullptr, *this);
  if (rc != 0) {
    report(ClientErrorKind::kRefused, uv_strerror(rc));
    if (!stopped_) loop_.timers().schedule(reconnect_timer_, target_.reconnect_delay_ms);
  }
}

void RequestLoopClient::begin() {
  sending_ = true;
  if (connected_) fill(monotonic_now_ns());
}

void RequestLoopClient::stop() {
  stopped_ = true;
  sending_ = false;
  loop_.timers().cancel(reconnect_timer_);
  connection_.close();
  connected_ = false;
}

void RequestLoopClient::fill(std::uint64_t now_ns) {
  // Closed loop: the next request goes out as soon as there is room, never on a clock.
  while (sending_ && connected_ && !in_flight_.full() && tally_.may_send(now_ns)) {
    in_flight_.push(now_ns);
    ++counters_.requests;
    counters_.header_bytes_up += request_.size();
    if (tally_.measured(now_ns)) ++tally_.measured_sent;
    connection_.write(request_);  // the same bytes every time: a reference, not a copy
  }
}

void RequestLoopClient::drop(std::uint64_t delay_ms) {
  connection_.close();  // tells us nothing more
  connected_ = false;
  in_flight_.clear();
  if (stopped_) return;
  if (delay_ms == 0) {
    connect();
  } else {
    loop_.timers().schedule(reconnect_timer_, delay_ms);
  }
}

void RequestLoopClient::on_timer(TimerEntry& entry) {
  auto& self = *static_cast<RequestLoopClient*>(entry.context);
  if (!self.stopped_) self.connect();
}

void RequestLoopClient::check_timeout(std::uint64_t now_ns) {
  if (in_flight_.empty()) return;
  if (now_ns - in_flight_.front() < std::uint64_t{target_.request_timeout_ms} * 1'000'000) return;
  report(ClientErrorKind::kTimeout,
         fmt::format("no answer within --request-timeout-ms {}", target_.request_timeout_ms));
  drop(target_.reconnect_delay_ms);
}

void RequestLoopClient::on_link_connected(int status) {
  if (status != 0) {
    report(ClientErrorKind::kRefused, uv_strerror(status));
    return;  // on_link_closed() follows and schedules the reconnect
  }
  ++counters_.connects;
  parser_ = std::make_unique<HttpResponseParser>(*this);
  parser_->set_keep_headers(false);
  connected_ = true;
  mark_ready();
  fill(monotonic_now_ns());
}

void RequestLoopClient::on_link_data(char* data, std::size_t len) {
  if (!parser_) return;
  read_ns_ = monotonic_now_ns();
  const std::uint64_t head_before = parser_->total_head_bytes();
  const std::uint64_t body_before = parser_->total_body_bytes();
  parser_->feed(data, len);
  counters_.header_bytes_down += parser_->total_head_bytes() - head_before;
  counters_.payload_bytes_down += parser_->total_body_bytes() - body_before;
  // The parser is done with the bytes: only now may the connection (and the parser) be replaced.
  if (parser_->failed() || parser_->upgraded()) {
    report(ClientErrorKind::kProtocol,
           parser_->upgraded() ? std::string_view("the server switched protocols") : parser_->error());
    drop(target_.reconnect_delay_ms);
    return;
  }
  if (close_after_read_) {
    drop(0);
    return;
  }
  fill(read_ns_);
}

void RequestLoopClient::on_link_eof() {
  // A body delimited by the end of the stream completes here.
  if (parser_) parser_->finish();
}

void RequestLoopClient::on_link_closed() {
  const bool was_connected = connected_;
  const std::uint32_t unanswered = in_flight_.size();
  connected_ = false;
  in_flight_.clear();
  parser_.reset();
  if (stopped_) return;
  if (close_after_read_) {
    connect();  // the answer said Connection: close
    return;
  }
  if (!was_connected) {
    loop_.timers().schedule(reconnect_timer_, target_.reconnect_delay_ms);  // refused: reported already
    return;
  }
  if (unanswered > 0) {
    report(ClientErrorKind::kReset,
           fmt::format("the server closed the connection with {} requests unanswered", unanswered));
    loop_.timers().schedule(reconnect_timer_, target_.reconnect_delay_ms);
    return;
  }
  connect();  // an idle keep-alive connection the server ended (its keep-alive timeout)
}

void RequestLoopClient::on_response_head(const HttpResponseHead& head) {
  (void)head;
}

void RequestLoopClient::on_response_complete(const HttpResponseHead& head) {
  const int status = head.status;
  if (status < 200 || in_flight_.empty()) {
    if (status >= 200) {
      report(ClientErrorKind::kProtocol, "an answer to a request that was never sent");
      close_after_read_ = true;
    }
    return;  // 1xx interim answers precede the real one
  }
  const std::uint64_t sent_ns = in_flight_.pop();
  ++counters_.responses;
  if (!head.keep_alive) close_after_read_ = true;
  if (status >= 500) {
    report(ClientErrorKind::kHttpStatus, fmt::format("HTTP {}", status));
    return;
  }
  tally_.record_answer(sent_ns, read_ns_);
  if (status == 204) ++counters_.empty_responses;
  if (!tally_.measured(sent_ns)) return;
  if (status < 300) {
    ++tally_.status_2xx;
    if (status == 204) ++tally_.status_204;
  } else if (status < 400) {
    ++tally_.status_3xx;
  } else {
    ++tally_.status_4xx;
  }
}

}  // namespace rtb
