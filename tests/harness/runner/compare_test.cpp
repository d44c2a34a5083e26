#include "harness/runner/compare.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rtb {
namespace {

ResultSet set_with_p50(const std::string& label, const std::vector<double>& p50s) {
  ResultSet s;
  s.label = label;
  int rep = 0;
  for (double v : p50s) {
    RunRecord r;
    r.point = "p";
    r.transport = "ws";
    r.repetition = ++rep;
    LoadResult x;
    x.p50_us = v;
    x.p99_us = v * 2;
    r.result = x;
    s.records.push_back(r);
  }
  return s;
}

const ComparedFigure* find(const std::vector<ComparedFigure>& f, const std::string& name) {
  for (const auto& c : f) {
    if (c.figure == name) return &c;
  }
  return nullptr;
}

TEST(Compare, BootstrapIntervalHoldsTheRatioAndIsReproducible) {
  const std::vector<double> a = {100, 102, 98, 101, 99}, b = {200, 204, 196, 202, 198};
  Interval i = bootstrap_ratio(a, b);
  ASSERT_TRUE(i.has_interval);
  EXPECT_DOUBLE_EQ(i.ratio, 2.0);
  EXPECT_LE(i.low, 2.0);
  EXPECT_GE(i.high, 2.0);
  EXPECT_GT(i.low, 1.8);
  Interval again = bootstrap_ratio(a, b);
  EXPECT_EQ(again.low, i.low);
  EXPECT_EQ(again.high, i.high);
  EXPECT_FALSE(bootstrap_ratio({1}, {2, 3}).has_interval);
}

TEST(Compare, VerdictsAndFailIfSlower) {
  const ResultSet base = set_with_p50("before", {100, 101, 99, 100, 102});
  const ResultSet slower = set_with_p50("after", {150, 151, 149, 152, 150});
  const ResultSet same = set_with_p50("same", {100, 103, 98, 101, 99});
  auto f = compare_sets(base, slower);
  ASSERT_NE(find(f, "p50_us"), nullptr);
  EXPECT_EQ(find(f, "p50_us")->verdict, Verdict::kWorse);
  EXPECT_EQ(find(f, "server_cpu_us_per_op"), nullptr) << "a figure the baseline has as 0 (or NaN) has no ratio and is left out";
  std::string which;
  EXPECT_TRUE(worse_beyond(f, 10, &which));
  EXPECT_NE(which.find("p50_us"), std::string::npos) << which;
  EXPECT_FALSE(worse_beyond(f, 60, &which));
  EXPECT_EQ(find(compare_sets(slower, base), "p50_us")->verdict, Verdict::kBetter);
  auto g = compare_sets(base, same);
  EXPECT_EQ(find(g, "p50_us")->verdict, Verdict::kNoDifference);
  EXPECT_FALSE(worse_beyond(g, 0, &which));
  const std::string md = compare_markdown(base, slower, f);
  EXPECT_NE(md.find("| p | ws | p50_us |"), std::string::npos) << md;
  EXPECT_NE(md.find("slower"), std::string::npos);
  EXPECT_NE(md.find("bootstrap"), std::string::npos);
}

}  // namespace
}  // namespace rtb
