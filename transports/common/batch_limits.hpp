// BatchLimits: how many events one answer may carry; shared by every transport that answers with a batch
// (`rtbench serve --max-batch`), so a client's catch-up costs the same number of answers on each.
#pragma once

#include <cstdint>

namespace rtb {

struct BatchLimits {
  std::uint64_t max_events = 1000;
};

}  // namespace rtb
