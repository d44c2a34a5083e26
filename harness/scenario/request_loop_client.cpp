#include "harness/scenario/request_loop_client.hpp"

#include <fmt/format.h>

#include "harness/scenario/payload_stamp.hpp"

namespace rtb {

RequestLoopClient::RequestLoopClient(Loop& loop, const RoundTripTarget& target, SharedBuffer request,
                                     RoundTripTally& tally)
    : RoundTripClient(loop, target, tally), request_(std::move(request)), in_flight_(target.pipeline) {}

void RequestLoopClient::connect() {
  close_after_read_ = false;
  in_flight_.clear();
  link_.connect();
}

void RequestLoopClient::begin() {
  sending_ = true;
  if (link_.is_up()) fill(monotonic_now_ns());
}

void RequestLoopClient::stop() {
  sending_ = false;
  link_.stop();
}

void RequestLoopClient::fill(std::uint64_t now_ns) {
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
