#include "harness/scenario/publisher.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace rtb {
namespace {

// The measure window's edges lie whole seconds after the load starts; the first slot comes half a period
// later (at most 500 ms), so no edge falls on a publish.
TEST(FirstSlotDelay, IsHalfAPeriodAtMostHalfASecond) {
  EXPECT_EQ(first_slot_delay_ns(1), 500'000'000u);
  EXPECT_EQ(first_slot_delay_ns(4), 125'000'000u);
  EXPECT_EQ(first_slot_delay_ns(1000), 500'000u);
  EXPECT_EQ(first_slot_delay_ns(0.1), 500'000'000u);  // a 10 s period: still half a second
  EXPECT_EQ(first_slot_delay_ns(0), 0u);              // no events, nothing to keep away from
}

// Every slot of a whole-second window at 1, 2 and 20 events/s, with the delay, sits at least a quarter of a
// period away from both window edges (the warm-up ends at 1 s, the window lasts 3 s).
TEST(FirstSlotDelay, KeepsEverySlotAwayFromTheWindowEdges) {
  for (double rate : {1.0, 2.0, 20.0}) {
    const double period_ns = 1e9 / rate;
    const double t0 = static_cast<double>(first_slot_delay_ns(rate));
    const double start = 1e9, end = 4e9;
    int in_window = 0;
    for (int k = 0; t0 + k * period_ns < end; ++k) {
      const double slot = t0 + k * period_ns;
      EXPECT_GE(std::abs(slot - start), period_ns / 4) << rate << " slot " << k;
      EXPECT_GE(std::abs(slot - end), period_ns / 4) << rate << " slot " << k;
      if (slot >= start) ++in_window;
    }
    EXPECT_EQ(in_window, static_cast<int>(3 * rate)) << rate;
  }
}

}  // namespace
}  // namespace rtb
