#include "harness/scenario/payload_stamp.hpp"

#include <gtest/gtest.h>

namespace rtb {
namespace {

TEST(PayloadStamp, PadsToTheSizeAndReadsBack) {
  std::string out;
  EXPECT_EQ(append_payload(out, {42, 123456789012345}, 64), 64u);
  EXPECT_EQ(out.size(), 64u);
  EXPECT_TRUE(out.starts_with("42 123456789012345 x"));
  auto stamp = parse_payload_stamp(out);
  ASSERT_TRUE(stamp);
  EXPECT_EQ(stamp->seq, 42u);
  EXPECT_EQ(stamp->intended_ns, 123456789012345u);
}

TEST(PayloadStamp, NeverTruncatesTheStamp) {
  std::string out;
  EXPECT_EQ(append_payload(out, {7, 1000}, 2), 7u);
  EXPECT_EQ(out, "7 1000 ");
  EXPECT_EQ(payload_stamp_bytes({7, 1000}), 7u);
  EXPECT_TRUE(parse_payload_stamp(out));
}

TEST(PayloadStamp, ForeignTextHasNoStamp) {
  EXPECT_FALSE(parse_payload_stamp("hello world"));
  EXPECT_FALSE(parse_payload_stamp("12 34"));
  EXPECT_FALSE(parse_payload_stamp("12  34 "));
  EXPECT_FALSE(parse_payload_stamp("-1 34 "));
  EXPECT_FALSE(parse_payload_stamp(""));
}

TEST(PayloadStamp, MonotonicClockAdvances) {
  const auto a = monotonic_now_ns();
  const auto b = monotonic_now_ns();
  EXPECT_GT(a, 0u);
  EXPECT_GE(b, a);
}

}  // namespace
}  // namespace rtb
