// RoundTripTally: what every connection of a round-trip run (keep-alive HTTP requests, WebSocket echo) writes
// into: latency per answered operation, counts attributed to a phase by each operation's send time, errors.
#pragma once

#include <cstdint>

#include "harness/metrics/latency_histogram.hpp"
#include "harness/scenario/error_tally.hpp"

namespace rtb {

// The run is single-threaded, so these are plain members.
struct RoundTripTally {
  LatencyHistogram measure_latency;  // nanoseconds, send -> complete answer, first answer of each operation
  LatencyHistogram warmup_latency;   // the same for warm-up operations (progress line, not the result)
  // The measure phase as a window of SEND times; the run sets both ends at the instants it snapshots the
  // counters, so window deltas and send-time attribution hold exactly the same operations.
  std::uint64_t measure_start_ns = UINT64_MAX;
  std::uint64_t measure_end_ns = UINT64_MAX;
  // Nothing is sent at or after this (the closed loop stops at the measure end and the drain collects the
  // answers still in flight); 0 before the warm-up begins.
  std::uint64_t send_until_ns = 0;
  ErrorTally errors;
  std::uint64_t ready = 0;    // connections that connected (and, for echo, finished the handshake)
  std::uint64_t failed = 0;   // connections that failed before ever connecting
  std::uint64_t answers = 0;  // every answer, any phase (the progress line's rate)
  std::uint64_t warmup_answers = 0;
  std::uint64_t unstamped = 0;  // echo: messages without our stamp (not an echo of ours)

  // Operations sent in the measure phase, and what became of them.
  std::uint64_t measured_sent = 0;
  std::uint64_t measured_answered = 0;  // distinct: one per operation
  std::uint64_t duplicated = 0;         // echo: a sequence number echoed again
  std::uint64_t reordered = 0;          // echo: an echo that arrived after a later one
  std::uint64_t status_2xx = 0, status_3xx = 0, status_4xx = 0, status_204 = 0;  // http

  bool measured(std::uint64_t sent_ns) const {
    return sent_ns >= measure_start_ns && sent_ns < measure_end_ns;
  }
  bool may_send(std::uint64_t now_ns) const { return now_ns < send_until_ns; }

  // The first answer to an operation sent at `sent_ns`.
  void record_answer(std::uint64_t sent_ns, std::uint64_t now_ns) {
    ++answers;
    const std::uint64_t latency = now_ns > sent_ns ? now_ns - sent_ns : 0;
    if (measured(sent_ns)) {
      ++measured_answered;
      measure_latency.record(latency);
    } else if (sent_ns < measure_start_ns) {
      ++warmup_answers;
      warmup_latency.record(latency);
    }
  }
};

}  // namespace rtb
