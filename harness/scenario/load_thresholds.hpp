// threshold_failures: the pass/fail verdict of a load run (--max-errors, --max-p99-us, --max-lost, and a
// window whose every event the publisher dropped).
#pragma once

#include <string>
#include <vector>

#include "harness/scenario/load_config.hpp"
#include "harness/scenario/load_result.hpp"

namespace rtb {

// One sentence per threshold missed; empty when the run passes.
std::vector<std::string> threshold_failures(const LoadConfig& config, const LoadResult& result);

}  // namespace rtb
