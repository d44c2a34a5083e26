// run_round_trip: a closed-loop load run (--transport http or echo): N connections each keeping `pipeline`
// operations in flight from the warm-up to the measure end, no publisher; run_load() hands these modes here.
#pragma once

#include "harness/scenario/load_config.hpp"
#include "harness/scenario/load_run.hpp"
#include "harness/scenario/server_url.hpp"

namespace rtb {

// The config has passed validate_load_config() and is_round_trip(config.transport).
LoadOutcome run_round_trip(const LoadConfig& config, ServerUrl url, LoadObserver* observer,
                           double progress_interval_s);

}  // namespace rtb
