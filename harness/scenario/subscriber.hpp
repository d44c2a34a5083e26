// Subscriber: the load generator's ClientEvents for one subscriber session: it stamps each event's latency,
// attributes it to a phase by its intended send time, and counts delivery by id.
#pragma once

#include <cstdint>
#include <memory>

#include "harness/metrics/counters.hpp"
#include "harness/metrics/latency_histogram.hpp"
#include "harness/scenario/error_tally.hpp"
#include "transports/common/client_session.hpp"

namespace rtb {

// What every subscriber of one run writes into. The run is single-threaded, so these are plain members.
struct SubscriberShared {
  LatencyHistogram measure_latency;  // nanoseconds, measured-phase events, first delivery of each id only
  LatencyHistogram warmup_latency;   // the same for warm-up events (progress line, not the result)
  // The measure phase as a window of INTENDED send times; everything before it is warm-up.
  std::uint64_t measure_start_ns = UINT64_MAX;
  std::uint64_t measure_end_ns = UINT64_MAX;
  ErrorTally errors;
  std::uint64_t ready = 0;             // subscribers that connected
  std::uint64_t failed = 0;            // subscribers that failed (or timed out) before ever connecting
  std::uint64_t events_received = 0;   // every reception, any phase (the progress line's rate)
  std::uint64_t warmup_events = 0;     // receptions of warm-up events
  std::uint64_t unstamped_events = 0;  // event text without our stamp: someone else publishes on the channel
  std::uint64_t after_window_events = 0;  // stamped after the measure window (the publisher never does this)
  std::uint64_t gap_reports = 0;          // the server said part of the history was gone
};

class Subscriber final : public ClientEvents {
 public:
  enum class State : std::uint8_t { kIdle, kConnecting, kReady, kFailed };

  // `since` is the id the run started after: the first id this subscriber can expect is since + 1.
  Subscriber(SubscriberShared& shared, std::uint64_t since);
  ~Subscriber() override;
  Subscriber(const Subscriber&) = delete;
  Subscriber& operator=(const Subscriber&) = delete;

  // Takes the session and starts it. `ready_at_start`: a session that connects per request has nothing to
  // wait for (short polling without keep-alive).
  void start(std::unique_ptr<ClientSession> session, bool ready_at_start);
  void stop();
  // The connect phase ended without this subscriber connecting.
  void give_up_connecting();
  // From now on measured events count toward this subscriber's delivery (called at the measure start for
  // subscribers that are connected then; the others' losses would only repeat their connect errors).
  void count_deliveries() { counted_ = true; }
  bool counted() const { return counted_; }

  State state() const { return state_; }
  ClientSession* session() const { return session_.get(); }
  // Measured-phase ids only. Its lost() also includes the warm-up ids since+1 .. first measured id - 1, which
  // it was never fed: the run subtracts them (see LoadRun).
  DeliveryCounter& measured() { return measured_; }
  const DeliveryCounter& measured() const { return measured_; }

  void on_connected() override;
  void on_event(std::uint64_t id, std::string_view data) override;
  void on_gap(std::uint64_t first, std::uint64_t last) override;
  void on_error(ClientErrorKind kind, std::string_view detail) override;

 private:
  SubscriberShared& shared_;
  DeliveryCounter measured_;
  std::unique_ptr<ClientSession> session_;
  State state_ = State::kIdle;
  bool counted_ = false;
};

}  // namespace rtb
