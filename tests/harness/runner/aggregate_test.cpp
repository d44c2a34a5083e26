#include "harness/runner/aggregate.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "harness/runner/suite_catalog.hpp"

namespace rtb {
namespace {

TEST(SpreadOf, OddCountTakesTheMiddleValue) {
  Spread s = spread_of({3, 1, 2});
  EXPECT_EQ(s.count, 3u);
  EXPECT_EQ(s.median, 2);
  EXPECT_EQ(s.min, 1);
  EXPECT_EQ(s.max, 3);
}

TEST(SpreadOf, EvenCountTakesTheMeanOfTheTwoMiddleValues) {
  Spread s = spread_of({10, 4, 8, 1});
  EXPECT_EQ(s.median, 6);
  EXPECT_EQ(s.min, 1);
  EXPECT_EQ(s.max, 10);
}

TEST(SpreadOf, LeavesOutValuesARunCouldNotMeasure) {
  Spread s = spread_of({NAN, 5, INFINITY, 7});
  EXPECT_EQ(s.count, 2u);
  EXPECT_EQ(s.median, 6);
  Spread none = spread_of({NAN});
  EXPECT_FALSE(none.valid());
  EXPECT_TRUE(std::isnan(none.median));
  EXPECT_FALSE(spread_of({}).valid());
}

TEST(SpreadOf, SingleValueIsItsOwnMinAndMax) {
  Spread s = spread_of({42});
  EXPECT_EQ(s.median, 42);
  EXPECT_EQ(s.min, 42);
  EXPECT_EQ(s.max, 42);
}

TEST(FormatSpread, MedianThenMinAndMaxOrJustTheMedian) {
  EXPECT_EQ(format_spread(spread_of({1.04, 1.26, 1.11}), 1), "1.1 [1.0–1.3]");
  EXPECT_EQ(format_spread(spread_of({2.0, 2.01}), 1), "2.0");
  EXPECT_EQ(format_spread(spread_of({1500, 2500}), 1, 1e-3), "2.0 [1.5–2.5]");
  EXPECT_EQ(format_spread(spread_of({-300, 100}), 0), "-100 [-300–100]");
  EXPECT_EQ(format_spread(Spread{}, 1), "-");
}

TEST(SpreadOfResults, AppliesTheFigureToEveryResult) {
  LoadResult a, b, c;
  a.p50_us = 100;
  b.p50_us = 300;
  c.p50_us = 200;
  Spread s = spread_of({&a, &b, &c}, [](const LoadResult& r) { return r.p50_us; });
  EXPECT_EQ(s.median, 200);
  EXPECT_EQ(s.min, 100);
  EXPECT_EQ(s.max, 300);
}

RunRecord record(std::string point, std::string transport, int repetition, bool with_result = true) {
  RunRecord r;
  r.point = std::move(point);
  r.transport = std::move(transport);
  r.repetition = repetition;
  if (with_result) r.result.emplace();
  return r;
}

TEST(GroupCases, FollowsTheSuitesPointAndTransportOrder) {
  const Suite& s = *find_suite("tiny");
  std::vector<RunRecord> records = {record("c5-r20", "ws", 1), record("c5-r20", "poll", 1),
                                    record("c5-r20", "ws", 2), record("c5-r20", "poll", 2, false)};
  auto cases = group_cases(records, &s);
  ASSERT_EQ(cases.size(), 2u);  // longpoll and sse never ran
  EXPECT_EQ(cases[0].transport, "poll");
  EXPECT_EQ(cases[0].records.size(), 2u);
  EXPECT_EQ(cases[0].results.size(), 1u);  // the failed repetition has no result
  EXPECT_EQ(cases[1].transport, "ws");
  EXPECT_EQ(cases[1].results.size(), 2u);
}

TEST(GroupCases, WithoutASuiteKeepsFirstAppearance) {
  std::vector<RunRecord> records = {record("b", "sse", 1), record("a", "poll", 1), record("b", "sse", 2)};
  auto cases = group_cases(records, nullptr);
  ASSERT_EQ(cases.size(), 2u);
  EXPECT_EQ(cases[0].point, "b");
  EXPECT_EQ(cases[0].results.size(), 2u);
  EXPECT_EQ(cases[1].point, "a");
}

}  // namespace
}  // namespace rtb
