// run_load: one complete load run (connect, warm-up, measure, drain) on its own event loop on the calling
// thread, returning the result instead of printing it, so the CLI, `rtbench run` and tests share it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "harness/scenario/load_config.hpp"
#include "harness/scenario/load_result.hpp"

namespace rtb {

enum class LoadPhase { kStarting, kConnecting, kSettling, kWarmup, kMeasure, kDrain, kDone };
std::string_view load_phase_name(LoadPhase phase);

struct LoadProgress {
  LoadPhase phase = LoadPhase::kStarting;
  double phase_elapsed_s = 0;
  double phase_length_s = 0;  // 0 when the phase ends on an event, not a clock
  std::uint64_t clients = 0;
  std::uint64_t connected = 0;
  std::uint64_t connecting = 0;
  bool round_trip = false;  // --transport http/echo: the rate counts answers (ops), there is no publisher
  double events_per_s = 0;  // receptions (round trips) per second since the previous report
  double p99_us = 0;        // so far: the measure phase's, or the warm-up's before it; NaN before any event
  std::uint64_t errors = 0;
  std::uint64_t publish_late = 0;
  std::uint64_t publish_dropped = 0;
};

class LoadObserver {
 public:
  virtual ~LoadObserver() = default;
  // Called on the run's loop thread about every progress interval; keep it short.
  virtual void on_progress(const LoadProgress& progress) = 0;
};

struct LoadOutcome {
  bool ok = false;    // the run took place (thresholds are judged by threshold_failures())
  std::string error;  // when !ok: one sentence that says what to fix
  LoadResult result;
};

// `observer` may be null. The config should have passed validate_load_config(); run_load checks it again.
LoadOutcome run_load(const LoadConfig& config, LoadObserver* observer = nullptr,
                     double progress_interval_s = 0.5);

}  // namespace rtb
