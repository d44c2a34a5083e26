// The report's side-by-side of a point and its baseline (SuitePoint::baseline: a TLS point and the same load
// over plain HTTP), per transport: medians and their ratio, so what a variant costs reads in one line.
#pragma once

#include <string>
#include <vector>

#include "harness/runner/aggregate.hpp"
#include "harness/runner/suite.hpp"

namespace rtb {

// "" when no point of `suite` names a baseline or no pair has results.
std::string render_baseline_section(const std::vector<CaseResults>& cases, const Suite* suite);

}  // namespace rtb
