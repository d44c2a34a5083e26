// Merging load results: the parts of one `rtbench load --procs K` run (K generator processes over the same
// measure window and one publisher), or separate runs made on several hosts against one server
// (`rtbench merge`). Latency histograms merge exactly (HDR slots add), counters add, per-event figures are
// recomputed from the sums, and figures that measure one shared thing (the server, the proxy, the host's
// kernel) come from the first part that sampled it, divided by the merged deliveries.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/scenario/load_result.hpp"

namespace rtb {

enum class MergeKind {
  // The parts are processes of one run on one host: one publisher, one measure window, the server and the
  // host sampled by every part over that window. Other parts' generator CPU is not "other work".
  kProcessesOfOneRun,
  // Independent runs (each its own publisher, window and host): counters add, the first part's server and
  // host figures stand for all, as the merged result's warnings say.
  kSeparateRuns,
};

// How one result column combines across parts.
enum class MergeRule {
  kSame,            // must be equal in every part (the run's identity); else the merge is refused
  kSum,             // counters
  kMax,             // worst of the parts (e.g. the busiest generator)
  kEarliest,        // ISO-8601 times: the smallest
  kLatest,          // ISO-8601 times: the largest
  kPerEvent,        // per delivered event: weighted by each part's deliveries
  kShared,          // measures one shared thing (server, proxy, host): the first part that has it
  kSharedPerEvent,  // a shared total per delivery: the first part's total over the merged deliveries
  kRecomputed,      // derived after the merge (percentiles, ratios)
};

// The rule for a column of load_result_columns(); every column has one (a test checks it).
std::optional<MergeRule> merge_rule(std::string_view column);

// nullopt with *error saying which column differs (or that there is nothing to merge).
std::optional<LoadResult> merge_load_results(const std::vector<LoadResult>& parts, MergeKind kind,
                                             std::string* error);

}  // namespace rtb
