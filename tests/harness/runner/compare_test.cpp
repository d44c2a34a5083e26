#include "harness/runner/compare.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness/metrics/json.hpp"

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
  EXPECT_EQ(find(f, "server_cpu_us_per_op"), nullptr)
      << "a figure the baseline has as 0 (or NaN) has no ratio and is left out";
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

TEST(Compare, JsonCarriesEveryRatioIntervalAndVerdict) {
  const ResultSet base = set_with_p50("before", {100, 101, 99, 100, 102});
  const ResultSet slower = set_with_p50("after", {150, 151, 149, 152, 150});
  const ResultSet once = set_with_p50("once", {120});
  const std::string text = compare_json(
      base.label, {{slower.label, compare_sets(base, slower)}, {once.label, compare_sets(base, once)}});
  std::string error;
  const auto doc = parse_json(text, &error);
  ASSERT_TRUE(doc) << error;
  EXPECT_EQ((*doc)["tool"], "rtbench compare");
  EXPECT_EQ((*doc)["baseline"], "before");
  ASSERT_EQ((*doc)["comparisons"].size(), 2u);
  const Json& first = (*doc)["comparisons"][0];
  EXPECT_EQ(first["candidate"], "after");
  const Json& p50 = first["figures"][0];
  EXPECT_EQ(p50["figure"], "p50_us");
  EXPECT_EQ(p50["point"], "p");
  EXPECT_EQ(p50["transport"], "ws");
  EXPECT_DOUBLE_EQ(p50["ratio"].get<double>(), 1.5);
  EXPECT_GT(p50["ci_low"].get<double>(), 1.0);
  EXPECT_GE(p50["ci_high"].get<double>(), 1.5);
  EXPECT_EQ(p50["verdict"], "worse");
  EXPECT_EQ(p50["verdict_text"], "slower");
  EXPECT_EQ(p50["baseline_n"], 5u);
  const Json& single = (*doc)["comparisons"][1]["figures"][0];
  EXPECT_DOUBLE_EQ(single["ratio"].get<double>(), 1.2);
  EXPECT_TRUE(single["ci_low"].is_null() && single["ci_high"].is_null()) << "one repetition: no interval";
  EXPECT_EQ(single["verdict"], "single");
}

}  // namespace
}  // namespace rtb
