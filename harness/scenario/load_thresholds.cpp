#include "harness/scenario/load_thresholds.hpp"

#include <fmt/format.h>

#include <cmath>

namespace rtb {

std::vector<std::string> threshold_failures(const LoadConfig& config, const LoadResult& result) {
  std::vector<std::string> out;
  if (result.errors_total > config.max_errors) {
    out.push_back(fmt::format("{} connection errors, more than --max-errors {}", result.errors_total,
                              config.max_errors));
  }
  // Slots were due but none of the window's events went out: "0 lost" would then say nothing at all.
  if (config.rate > 0 && result.expected == 0 && result.publish_dropped + result.publish_errors > 0) {
    out.push_back(fmt::format("no event was measured: the publisher dropped {} and lost {} of {} slots",
                              result.publish_dropped, result.publish_errors, result.publish_scheduled));
  }
  if (config.max_p99_us) {
    if (std::isnan(result.p99_us)) {
      out.push_back("no latency measured, so --max-p99-us cannot be met");
    } else if (result.p99_us > *config.max_p99_us) {
      out.push_back(fmt::format("p99 {:.1f} us, above --max-p99-us {}", result.p99_us, *config.max_p99_us));
    }
  }
  if (config.max_lost && result.lost > *config.max_lost) {
    out.push_back(fmt::format("{} events lost, more than --max-lost {}", result.lost, *config.max_lost));
  }
  return out;
}

}  // namespace rtb
