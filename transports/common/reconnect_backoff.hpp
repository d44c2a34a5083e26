// ReconnectBackoff: pauses before reconnecting that double from a first to a maximum delay with each attempt
// in a row, each drawn from the upper half of its ceiling, so thousands of clients dropped at once do not
// come back in lockstep.
#pragma once

#include <algorithm>
#include <cstdint>

namespace rtb {

class ReconnectBackoff {
 public:
  ReconnectBackoff(std::uint32_t first_ms, std::uint32_t max_ms) : first_ms_(first_ms), max_ms_(max_ms) {}

  // The pause before the next attempt; `random` is any uniformly distributed 64-bit value.
  std::uint64_t next_ms(std::uint64_t random) {
    const std::uint32_t shift = std::min<std::uint32_t>(attempts_, 16);
    const std::uint64_t ceiling = std::min<std::uint64_t>(max_ms_, std::uint64_t{first_ms_} << shift);
    ++attempts_;
    return ceiling / 2 + random % (ceiling / 2 + 1);
  }
  // A connection worked: the next pause starts from the first delay again.
  void reset() { attempts_ = 0; }

 private:
  std::uint32_t first_ms_;
  std::uint32_t max_ms_;
  std::uint32_t attempts_ = 0;
};

}  // namespace rtb
