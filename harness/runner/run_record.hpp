// RunRecord: what one run of a suite left behind (its identity, the generator's exit status, its result),
// the unit results.csv, the report and the aggregation work on.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "harness/scenario/load_result.hpp"

namespace rtb {

struct RunRecord {
  std::string point;      // the suite point's tag
  std::string transport;  // poll, longpoll, sse, ws
  std::string run_id;     // names its files: points/<run_id>.json, spectra/<run_id>.hgrm
  int repetition = 1;
  // The generator's exit status: 0 passed, 1 a threshold was missed (the result is still there), 2 or a
  // signal: no result.
  int load_exit_status = 0;
  std::optional<LoadResult> result;
  std::string error;     // why there is no result, or what the threshold failure was
  double elapsed_s = 0;  // wall clock of the whole run, process start to reaped
};

// The error of a run the runner did not start because something it needs is not installed (a proxy's
// package) or its proxy did not start: "skipped: " and the reason. Such a run is reported, not failed.
inline constexpr std::string_view kSkippedPrefix = "skipped: ";
inline bool run_skipped(const RunRecord& r) {
  return !r.result && r.error.starts_with(kSkippedPrefix);
}

}  // namespace rtb
