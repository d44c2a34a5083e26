// The named suites `rtbench run --suite NAME` knows: the seed's use cases, the Kaazing table, the sweeps, and
// the tiny suite the smoke test runs, all as data.
#pragma once

#include <string_view>
#include <vector>

#include "harness/runner/suite.hpp"

namespace rtb {

// In the order `rtbench run --help` lists them.
const std::vector<Suite>& suite_catalog();
// nullptr when there is no suite of that name.
const Suite* find_suite(std::string_view name);

}  // namespace rtb
