#include "harness/scenario/request_loop_client.hpp"

#include <fmt/format.h>

#include "harness/scenario/payload_stamp.hpp"

namespace rtb {

RequestLoopClient::RequestLoopClient(Loop& loop, const RoundTripTarget& target, SharedBuffer request,
                                     RoundTripTally& tally, std::uint64_t index)
    : RoundTripClient(loop, target, tally),
      loop_(loop),
      request_(std::move(request)),
      index_(index),
      schedule_timer_(&RequestLoopClient::on_schedule, this),
      in_flight_(target.pipeline) {}

void RequestLoopClient::connect() {
  close_after_read_ = false;
  in_flight_.clear();
  link_.connect();
}

void RequestLoopClient::begin() {
  if (sending_) return;
  sending_ = true;
  const std::uint64_t now_ns = monotonic_now_ns();
  if (open_loop()) {
    // Connections start one spacing apart, so the run's requests arrive evenly, not in bursts.
    const std::uint64_t phase = (index_ * target_.open_loop_spacing_ns) % target_.open_loop_interval_ns;
    next_slot_ns_ = next_unsent_ns_ = now_ns + phase;
    arm_schedule(now_ns);
    return;
  }
  if (link_.is_up()) fill(now_ns);
}

void RequestLoopClient::stop() {
  sending_ = false;
  loop_.timers().cancel(schedule_timer_);
  link_.stop();
}

void RequestLoopClient::arm_schedule(std::uint64_t now_ns) {
  const std::uint64_t wait_ns = next_slot_ns_ > now_ns ? next_slot_ns_ - now_ns : 0;
  loop_.timers().schedule(schedule_timer_, (wait_ns + 999'999) / 1'000'000);
}

void RequestLoopClient::on_schedule(TimerEntry& entry) {
  auto& self = *static_cast<RequestLoopClient*>(entry.context);
  if (!self.sending_) return;
  const std::uint64_t now_ns = monotonic_now_ns();
  // Every slot up to now is due (a loop that ran late makes several due at once).
  while (self.next_slot_ns_ <= now_ns) self.next_slot_ns_ += self.target_.open_loop_interval_ns;
  self.send_due();
  if (self.tally_.may_send(self.next_slot_ns_)) self.arm_schedule(now_ns);
}

void RequestLoopClient::send_due() {
  while (sending_ && link_.is_up() && !in_flight_.full() && next_unsent_ns_ < next_slot_ns_ &&
         tally_.may_send(next_unsent_ns_)) {
    in_flight_.push(next_unsent_ns_);  // latency from when it was due, however late it goes out
    if (tally_.measured(next_unsent_ns_)) ++tally_.measured_sent;
    link_.send_request_head(request_);
    next_unsent_ns_ += target_.open_loop_interval_ns;
  }
}

void RequestLoopClient::fill(std::uint64_t now_ns) {
  if (open_loop()) {
    send_due();
    return;
  }
  // Closed loop: the next request goes out as soon as there is room, never on a clock.
  while (sending_ && link_.is_up() && !in_flight_.full() && tally_.may_send(now_ns)) {
    in_flight_.push(now_ns);
    if (tally_.measured(now_ns)) ++tally_.measured_sent;
    link_.send_request_head(request_);  // the same bytes every time: a reference, not a copy
  }
}

void RequestLoopClient::check_timeout(std::uint64_t now_ns) {
  if (in_flight_.empty()) return;
  if (now_ns - in_flight_.front() < std::uint64_t{target_.request_timeout_ms} * 1'000'000) return;
  in_flight_.clear();
  link_.drop(ClientErrorKind::kTimeout,
             fmt::format("no answer within --request-timeout-ms {}", target_.request_timeout_ms));
}

void RequestLoopClient::on_link_up() {
  link_.cancel_deadline();
  parser_ = std::make_unique<HttpResponseParser>(*this);
  parser_->set_keep_headers(false);
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
    in_flight_.clear();
    link_.drop(ClientErrorKind::kProtocol,
               parser_->upgraded() ? std::string_view("the server switched protocols") : parser_->error());
    return;
  }
  if (close_after_read_) {
    connect();
    return;
  }
  fill(read_ns_);
}

void RequestLoopClient::on_link_eof() {
  // A body delimited by the end of the stream completes here.
  if (parser_) parser_->finish();
}

void RequestLoopClient::on_link_down() {
  const std::uint32_t unanswered = in_flight_.size();
  in_flight_.clear();
  parser_.reset();
  if (close_after_read_) {
    connect();  // the answer said Connection: close
    return;
  }
  if (unanswered > 0) {
    link_.fail(ClientErrorKind::kReset,
               fmt::format("the server closed the connection with {} requests unanswered", unanswered));
    link_.retry_later();
    return;
  }
  connect();  // an idle keep-alive connection the server ended (its keep-alive timeout)
}

void RequestLoopClient::on_response_complete(const HttpResponseHead& head) {
  const int status = head.status;
  if (status < 200 || in_flight_.empty()) {
    if (status >= 200) {
      link_.fail(ClientErrorKind::kProtocol, "an answer to a request that was never sent");
      close_after_read_ = true;
    }
    return;  // 1xx interim answers precede the real one
  }
  const std::uint64_t sent_ns = in_flight_.pop();
  ++counters_.responses;
  if (!head.keep_alive) close_after_read_ = true;
  if (status >= 500) {
    link_.fail(ClientErrorKind::kHttpStatus, fmt::format("HTTP {}", status));
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
