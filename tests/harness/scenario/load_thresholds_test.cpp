#include "harness/scenario/load_thresholds.hpp"

#include <gtest/gtest.h>

namespace rtb {
namespace {

TEST(LoadThresholds, ARunWhoseEventsWereAllDroppedFailsInsteadOfReportingNoneLost) {
  LoadConfig config;
  config.rate = 0.01;
  LoadResult result;
  result.publish_scheduled = 2;
  result.publish_sent = 1;  // the warm-up event
  result.publish_dropped = 1;
  const auto failures = threshold_failures(config, result);
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0], "no event was measured: the publisher dropped 1 and lost 0 of 2 slots");
  // The same run with the measured event delivered passes.
  result.expected = result.delivered = 100;
  EXPECT_TRUE(threshold_failures(config, result).empty());
}

TEST(LoadThresholds, ARunWithoutAPublisherNeedsNoEvent) {
  LoadConfig config;
  config.rate = 0;
  LoadResult result;
  EXPECT_TRUE(threshold_failures(config, result).empty());
}

}  // namespace
}  // namespace rtb
