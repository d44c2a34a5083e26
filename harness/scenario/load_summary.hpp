// load_summary: the wrk-style human summary of a load run, printed on stdout at the end.
#pragma once

#include <string>

#include "harness/scenario/load_config.hpp"
#include "harness/scenario/load_result.hpp"

namespace rtb {

std::string load_summary(const LoadConfig& config, const LoadResult& result);

}  // namespace rtb
