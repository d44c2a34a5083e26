#include "harness/scenario/subscriber.hpp"

#include "harness/scenario/payload_stamp.hpp"

namespace rtb {

Subscriber::Subscriber(SubscriberShared& shared, std::uint64_t since)
    : shared_(shared), measured_(since + 1) {}

Subscriber::~Subscriber() {
  stop();
}

void Subscriber::start(std::unique_ptr<ClientSession> session, bool ready_at_start) {
  session_ = std::move(session);
  state_ = State::kConnecting;
  if (ready_at_start) on_connected();
  session_->start();
}

void Subscriber::stop() {
  if (session_) session_->stop();
}

void Subscriber::give_up_connecting() {
  if (state_ != State::kConnecting) return;
  state_ = State::kFailed;
  ++shared_.failed;
  shared_.errors.add(ClientErrorKind::kTimeout, "not connected within --connect-timeout-s");
}

void Subscriber::on_connected() {
  if (state_ == State::kReady) return;  // a reconnect
  if (state_ == State::kFailed) --shared_.failed;
  state_ = State::kReady;
  ++shared_.ready;
}

void Subscriber::on_event(std::uint64_t id, std::string_view data) {
  ++shared_.events_received;
  const auto stamp = parse_payload_stamp(data);
  if (!stamp) {
    ++shared_.unstamped_events;
    return;
  }
  // Latency is against the time the event was SCHEDULED, so a late publisher or a stalled server shows.
  const std::uint64_t now = monotonic_now_ns();
  const std::uint64_t latency = now > stamp->intended_ns ? now - stamp->intended_ns : 0;
  if (stamp->intended_ns < shared_.measure_start_ns) {
    ++shared_.warmup_events;
    shared_.warmup_latency.record(latency);
    return;
  }
  if (stamp->intended_ns >= shared_.measure_end_ns) {
    ++shared_.after_window_events;
    return;
  }
  if (!counted_) return;
  const std::uint64_t before = measured_.delivered();
  measured_.on_id(id);
  // A duplicate or a hopelessly late copy is not a delivery: the histogram holds one value per delivery.
  if (measured_.delivered() != before) shared_.measure_latency.record(latency);
}

void Subscriber::on_gap(std::uint64_t, std::uint64_t) {
  ++shared_.gap_reports;
}

void Subscriber::on_error(ClientErrorKind kind, std::string_view detail) {
  shared_.errors.add(kind, detail);
  if (state_ == State::kConnecting) {
    state_ = State::kFailed;
    ++shared_.failed;
  }
}

}  // namespace rtb
