// The gap record's data, "first-last", as every client reads it.
#include "transports/common/sse_gap.hpp"

#include <gtest/gtest.h>

#include <string>

#include "transports/common/sse_encoder.hpp"

namespace rtb::test {
namespace {

TEST(SseGap, ReadsWhatTheEncoderWrites) {
  std::string record;
  sse_append_gap(record, 3, 18446744073709551615ull);
  ASSERT_EQ(record, "event: gap\ndata: 3-18446744073709551615\n\n");
  std::uint64_t first = 0, last = 0;
  ASSERT_TRUE(sse_parse_gap("3-18446744073709551615", first, last));
  EXPECT_EQ(first, 3u);
  EXPECT_EQ(last, 18446744073709551615ull);
  ASSERT_TRUE(sse_parse_gap("7-7", first, last));
  EXPECT_EQ(first, 7u);
  EXPECT_EQ(last, 7u);
}

TEST(SseGap, RejectsAnythingElseAndLeavesTheOutputsAlone) {
  for (std::string_view bad : {"", "-", "3", "3-", "-4", "a-4", "3-b", "4-3", " 3-4", "3-4 ", "3--4", "+3-4",
                               "3-18446744073709551616"}) {
    std::uint64_t first = 11, last = 12;
    EXPECT_FALSE(sse_parse_gap(bad, first, last)) << bad;
    EXPECT_EQ(first, 11u) << bad;
    EXPECT_EQ(last, 12u) << bad;
  }
}

}  // namespace
}  // namespace rtb::test
