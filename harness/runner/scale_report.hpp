// ScaleReport: the `scale` suite's section of report.md: per transport and client count, how fast the
// clients connected, what a connection cost the server and the kernel, how long one broadcast took to reach
// the last client, and where the sweep stopped and why.
#pragma once

#include <string>
#include <vector>

#include "harness/runner/aggregate.hpp"

namespace rtb {

// The cases of one broadcast each (exactly one measured event: expected == connected) at two client counts
// or more; empty otherwise.
std::string render_scale_section(const std::vector<CaseResults>& cases);

}  // namespace rtb
