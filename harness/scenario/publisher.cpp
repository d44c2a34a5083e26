#include "harness/scenario/publisher.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "harness/scenario/http_publish_link.hpp"
#include "harness/scenario/payload_stamp.hpp"
#include "harness/scenario/ws_publish_link.hpp"

namespace rtb {

Publisher::Publisher(Loop& loop, PublisherOptions options) : loop_(loop), options_(std::move(options)) {
  if (options_.via == PublishVia::kWebSocket) {
    link_ = std::make_unique<WsPublishLink>(loop_, options_.target, *this);
  } else {
    link_ = std::make_unique<HttpPublishLink>(
        loop_,
        HttpPublishTarget{options_.target.server, options_.target.host_header, options_.target.path_prefix,
                          options_.target.channel, options_.target.tls},
        *this);
  }
  uv_timer_init(loop_.get(), timer_.get());
  timer_.set_initialised();
  timer_->data = this;
  if (options_.rate > 0) period_ns_ = 1e9 / options_.rate;
}

Publisher::~Publisher() {
  stop();
}

void Publisher::publish_marker(MarkerDone done) {
  marker_done_ = std::move(done);
  link_->open();
}

void Publisher::finish_marker(bool ok, std::uint64_t id, const std::string& why) {
  MarkerDone done = std::move(marker_done_);
  marker_done_ = nullptr;
  if (done) done(ok, id, why);
}

std::uint64_t first_slot_delay_ns(double rate) {
  if (!(rate > 0)) return 0;
  return static_cast<std::uint64_t>(std::llround(std::min(0.5e9 / rate, 0.5e9)));
}

std::uint64_t Publisher::slot_ns(std::uint64_t seq) const {
  // From t0 each time (never accumulated), so rounding cannot drift the schedule.
  return t0_ns_ + static_cast<std::uint64_t>(std::llround(static_cast<double>(seq - 1) * period_ns_));
}

void Publisher::start(std::uint64_t t0_ns, std::uint64_t measure_start_ns, std::uint64_t end_ns) {
  t0_ns_ = t0_ns;
  measure_start_ns_ = measure_start_ns;
  next_seq_ = 1;
  last_seq_ = 0;
  if (options_.rate <= 0 || end_ns <= t0_ns) return;
  // The last slot strictly before end_ns.
  last_seq_ = static_cast<std::uint64_t>(std::ceil(static_cast<double>(end_ns - t0_ns) / period_ns_));
  while (last_seq_ > 0 && slot_ns(last_seq_) >= end_ns) --last_seq_;
  while (slot_ns(last_seq_ + 1) < end_ns) ++last_seq_;
  arm_timer(monotonic_now_ns());
}

void Publisher::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (timer_.get() != nullptr) uv_timer_stop(timer_.get());
  link_->close();
}

void Publisher::arm_timer(std::uint64_t now_ns) {
  if (stopped_ || schedule_done()) return;
  const std::uint64_t due = slot_ns(next_seq_);
  // libuv timers count whole milliseconds of loop time: round up and re-check on arrival, sending every slot
  // that is due by then (a timer that fires early finds nothing due and re-arms).
  const std::uint64_t delay_ms = due > now_ns ? (due - now_ns + 999'999) / 1'000'000 : 0;
  uv_timer_start(
      timer_.get(),
      [](uv_timer_t* t) {
        if (t->data != nullptr) static_cast<Publisher*>(t->data)->on_tick();
      },
      delay_ms, 0);
}

void Publisher::on_tick() {
  if (stopped_) return;
  if (!link_->is_open() && !link_->opening()) {
    ++stats_.reconnects;
    link_->open();
  }
  const std::uint64_t now = monotonic_now_ns();
  while (!schedule_done() && slot_ns(next_seq_) <= now) {
    send(next_seq_, slot_ns(next_seq_), now);
    ++next_seq_;
  }
  arm_timer(now);
}

bool Publisher::send_text(std::uint64_t seq, std::uint64_t slot) {
  text_.clear();
  append_payload(text_, PayloadStamp{seq, slot}, options_.payload_bytes);
  return link_->send(seq, text_);
}

void Publisher::send(std::uint64_t seq, std::uint64_t slot, std::uint64_t now_ns) {
  ++stats_.scheduled;
  const bool measured = slot >= measure_start_ns_;
  // Open loop: a slot that cannot go out now is dropped and counted, never postponed (that would hide a
  // stall behind a slower rate).
  const char* drop = nullptr;
  if (!link_->is_open()) {
    drop = link_->opening() ? "the connection was still opening" : "the connection was down";
  } else if (in_flight_.size() >= options_.max_in_flight) {
    drop = "too many publishes unanswered";
  } else if (!send_text(seq, slot)) {
    drop = "the send queue was full";
  }
  if (drop != nullptr) {
    ++stats_.dropped;
    if (measured) ++stats_.measured_dropped;
    if (stats_.first_drop.empty()) stats_.first_drop = fmt::format("slot {}: {}", seq, drop);
    return;
  }
  in_flight_.push_back({seq, measured});
  ++stats_.sent;
  if (measured) ++stats_.measured_sent;
  const std::uint64_t lateness = now_ns > slot ? now_ns - slot : 0;
  if (lateness > options_.late_ns) ++stats_.late;
  if (lateness > stats_.max_lateness_ns) stats_.max_lateness_ns = lateness;
}

void Publisher::note_error(std::string_view why) {
  if (stats_.first_error.empty()) stats_.first_error = std::string(why);
}

bool Publisher::settle(std::uint64_t seq, InFlight* out) {
  bool found = false;
  for (const InFlight& f : in_flight_) {
    if (f.seq == seq) {
      found = true;
      break;
    }
  }
  if (!found) return false;
  while (in_flight_.front().seq != seq) {
    // Answers come in send order: one that was skipped will not come.
    ++stats_.errors;
    note_error("a publish was never answered");
    in_flight_.pop_front();
  }
  *out = in_flight_.front();
  in_flight_.pop_front();
  return true;
}

void Publisher::on_link_ready() {
  was_open_ = true;
  if (stopped_ || !marker_done_ || marker_sent_) return;
  marker_sent_ = true;
  if (!send_text(0, monotonic_now_ns())) {
    finish_marker(false, 0, "the marker publish could not be queued");
    return;
  }
  in_flight_.push_back({0, false});
}

void Publisher::on_published(std::uint64_t seq, std::uint64_t id) {
  if (stopped_) return;
  InFlight f{};
  if (!settle(seq, &f)) return;
  if (id > stats_.last_id) stats_.last_id = id;
  if (seq == 0) {
    finish_marker(true, id, {});
    return;
  }
  ++stats_.acked;
  if (!f.measured) return;
  ++stats_.measured_acked;
  if (stats_.first_measured_id == 0 || id < stats_.first_measured_id) stats_.first_measured_id = id;
  if (id > stats_.last_measured_id) stats_.last_measured_id = id;
}

void Publisher::on_publish_failed(std::uint64_t seq, std::string_view why) {
  if (stopped_) return;
  InFlight f{};
  if (!settle(seq, &f)) return;
  ++stats_.errors;
  note_error(why);
  if (seq == 0) finish_marker(false, 0, std::string(why));
}

void Publisher::on_link_lost(std::string_view why) {
  if (stopped_) return;
  // A server ends a keep-alive connection that stayed idle past its timeout (rtbench serve after 75 s):
  // with nothing in flight nothing is lost, and a new connection opens now so that the next slot finds it.
  if (in_flight_.empty() && !marker_done_ && was_open_) {
    was_open_ = false;
    ++stats_.reconnects;
    link_->open();
    return;
  }
  was_open_ = false;
  note_error(why);
  stats_.errors += in_flight_.size();
  in_flight_.clear();
  // Reconnects on the next slot (on_tick); slots due meanwhile are dropped. The marker is not retried: a
  // server we cannot publish to at the start is an error to report, not to wait out.
  if (marker_done_) finish_marker(false, 0, std::string(why));
}

}  // namespace rtb
