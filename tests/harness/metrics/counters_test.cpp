#include "harness/metrics/counters.hpp"

#include <gtest/gtest.h>

#include <initializer_list>

namespace rtb {
namespace {

void feed(DeliveryCounter& c, std::initializer_list<uint64_t> ids) {
  for (uint64_t id : ids) c.on_id(id);
}

TEST(DeliveryCounterTest, InOrder) {
  DeliveryCounter c;
  for (uint64_t id = 1; id <= 1000; ++id) c.on_id(id);
  EXPECT_EQ(c.delivered(), 1000u);
  EXPECT_EQ(c.lost(), 0u);
  EXPECT_EQ(c.duplicates(), 0u);
  EXPECT_EQ(c.reordered(), 0u);
  EXPECT_EQ(c.late(), 0u);
  EXPECT_EQ(c.last_id(), 1000u);
  EXPECT_FALSE(c.holds_memory());
}

TEST(DeliveryCounterTest, GapsCountAsLost) {
  DeliveryCounter c;
  feed(c, {1, 2, 5, 6, 10});  // missing 3,4 and 7,8,9
  EXPECT_EQ(c.delivered(), 5u);
  EXPECT_EQ(c.lost(), 5u);
  EXPECT_EQ(c.hole_ranges(), 2u);
  EXPECT_EQ(c.last_id(), 10u);
  // A subscriber that missed the first ids of the channel lost them too.
  DeliveryCounter late_start;
  late_start.on_id(4);
  EXPECT_EQ(late_start.lost(), 3u);
}

TEST(DeliveryCounterTest, Duplicates) {
  DeliveryCounter c;
  feed(c, {1, 2, 2, 3, 1, 3, 0});
  EXPECT_EQ(c.delivered(), 3u);
  EXPECT_EQ(c.duplicates(), 4u);
  EXPECT_EQ(c.reordered(), 0u);
  EXPECT_EQ(c.lost(), 0u);
}

TEST(DeliveryCounterTest, ReorderingFillsHoles) {
  DeliveryCounter c;
  feed(c, {1, 5});  // hole 2..4
  EXPECT_EQ(c.lost(), 3u);
  c.on_id(3);  // splits the hole into 2 and 4
  EXPECT_EQ(c.hole_ranges(), 2u);
  EXPECT_EQ(c.lost(), 2u);
  feed(c, {2, 4});
  EXPECT_EQ(c.lost(), 0u);
  EXPECT_EQ(c.delivered(), 5u);
  EXPECT_EQ(c.reordered(), 3u);
  EXPECT_EQ(c.duplicates(), 0u);
  EXPECT_EQ(c.hole_ranges(), 0u);
  EXPECT_FALSE(c.holds_memory());
  c.on_id(3);  // now a duplicate, not a second fill
  EXPECT_EQ(c.duplicates(), 1u);
  EXPECT_EQ(c.delivered(), 5u);
}

TEST(DeliveryCounterTest, HoleShrinksFromEitherEnd) {
  DeliveryCounter c;
  feed(c, {1, 6});  // hole 2..5
  c.on_id(5);
  EXPECT_EQ(c.hole_ranges(), 1u);
  EXPECT_EQ(c.lost(), 3u);
  c.on_id(2);
  EXPECT_EQ(c.hole_ranges(), 1u);
  EXPECT_EQ(c.lost(), 2u);
  feed(c, {4, 3});
  EXPECT_EQ(c.hole_ranges(), 0u);
  EXPECT_EQ(c.lost(), 0u);
  feed(c, {5, 2, 4, 3});  // all filled already
  EXPECT_EQ(c.duplicates(), 4u);
  EXPECT_EQ(c.reordered(), 4u);
  EXPECT_EQ(c.delivered(), 6u);
}

TEST(DeliveryCounterTest, ExpectThroughCountsTrailingLoss) {
  DeliveryCounter c;
  feed(c, {1, 2, 4});
  c.expect_through(7);  // 3 missing inside, 5..7 trailing
  EXPECT_EQ(c.lost(), 4u);
  c.expect_through(6);  // never lowers the expectation
  EXPECT_EQ(c.lost(), 4u);
  c.on_id(6);  // arrives after the end mark: 5 and 7 still missing, 3 too
  EXPECT_EQ(c.lost(), 3u);
  EXPECT_EQ(c.delivered(), 4u);
  DeliveryCounter none;
  none.expect_through(10);
  EXPECT_EQ(none.lost(), 10u);
  DeliveryCounter from_100(100);
  from_100.expect_through(109);
  EXPECT_EQ(from_100.lost(), 10u);
  from_100.on_id(99);  // before the subscription began: not a delivery
  EXPECT_EQ(from_100.duplicates(), 1u);
  EXPECT_EQ(from_100.delivered(), 0u);
}

TEST(DeliveryCounterTest, HoleLimitGivesUpOldestAndCountsLate) {
  DeliveryCounter c;
  // Every other id: 1, 3, 5, ... leaves one single-id hole per step.
  const uint64_t holes = DeliveryCounter::kMaxHoleRanges + 10;
  for (uint64_t i = 0; i <= holes; ++i) c.on_id(1 + 2 * i);
  EXPECT_EQ(c.hole_ranges(), DeliveryCounter::kMaxHoleRanges);
  EXPECT_EQ(c.lost(), holes);
  c.on_id(20);  // the newest of the 10 given-up holes (2..20): stays lost, counted late
  EXPECT_EQ(c.late(), 1u);
  EXPECT_EQ(c.duplicates(), 0u);
  EXPECT_EQ(c.lost(), holes);
  EXPECT_EQ(c.delivered(), holes + 1);
  c.on_id(2 * holes);  // the newest hole is still tracked
  EXPECT_EQ(c.lost(), holes - 1);
  EXPECT_EQ(c.reordered(), 1u);
}

TEST(DeliveryCounterTest, MergeSumsTotals) {
  DeliveryCounter a;
  feed(a, {1, 2, 2, 4});  // lost 3, one duplicate
  DeliveryCounter b;
  feed(b, {1, 3, 2});   // reordered 2
  b.expect_through(5);  // lost 4, 5
  DeliveryCounter total;
  total.merge(a);
  total.merge(b);
  EXPECT_EQ(total.delivered(), 6u);
  EXPECT_EQ(total.lost(), 3u);
  EXPECT_EQ(total.duplicates(), 1u);
  EXPECT_EQ(total.reordered(), 1u);
  EXPECT_EQ(total.last_id(), 4u);
}

}  // namespace
}  // namespace rtb
