// load_summary: the wrk-style human summary of a load run, printed on stdout at the end.
#pragma once

#include <string>

#include "harness/scenario/load_config.hpp"
#include "harness/scenario/load_result.hpp"

namespace rtb {

// What is about to run (from the config; with a result, the measured request head size too).
std::string load_header(const LoadConfig& config, const LoadResult* result);
// The measured figures, warnings and errors.
std::string load_result_text(const LoadConfig& config, const LoadResult& result);
// load_header + load_result_text: the whole summary, printed at the end when stdout is not a terminal.
std::string load_summary(const LoadConfig& config, const LoadResult& result);

}  // namespace rtb
