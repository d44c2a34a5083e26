#include "harness/runner/suite_file.hpp"

#include <gtest/gtest.h>

#include <string>

#include "harness/runner/run_plan.hpp"
#include "harness/runner/suite_catalog.hpp"

namespace rtb {
namespace {

// Every built-in suite prints as a suite file that reads back into the same runs.
TEST(SuiteFile, BuiltInSuitesRoundTrip) {
  for (const auto& suite : suite_catalog()) {
    std::string error;
    auto back = suite_from_json(parse_json(json_text(suite_to_json(suite)), &error).value(), &error);
    ASSERT_TRUE(back) << suite.name << ": " << error;
    EXPECT_EQ(back->name, suite.name);
    ASSERT_EQ(back->points.size(), suite.points.size());
    for (std::size_t i = 0; i < suite.points.size(); ++i) {
      EXPECT_EQ(back->points[i].tag, suite.points[i].tag);
      EXPECT_EQ(back->points[i].server_args, suite.points[i].server_args);
      EXPECT_EQ(back->points[i].transports, suite.points[i].transports);
      ASSERT_EQ(back->points[i].intermediary.has_value(), suite.points[i].intermediary.has_value());
      if (const auto& want = suite.points[i].intermediary) {
        const IntermediaryOptions& got = *back->points[i].intermediary;
        EXPECT_EQ(got.kind, want->kind);
        EXPECT_EQ(got.idle_timeout_ms, want->idle_timeout_ms);
        EXPECT_EQ(got.forward_upgrade, want->forward_upgrade);
        EXPECT_EQ(got.buffering, want->buffering);
        EXPECT_EQ(got.ignore_accel_buffering, want->ignore_accel_buffering);
        EXPECT_EQ(got.allow_connect_to_upstream, want->allow_connect_to_upstream);
        EXPECT_EQ(got.no_delay, want->no_delay) << suite.points[i].tag;
      }
      for (auto t : suite.points[i].transports) {
        EXPECT_EQ(load_options(back->points[i], t), load_options(suite.points[i], t))
            << suite.name << " " << suite.points[i].tag;
      }
    }
  }
}

TEST(SuiteFile, ReadsAHandWrittenSuite) {
  std::string error;
  auto json = parse_json(R"({"name": "mine", "repeat": 2, "points": [
      {"tag": "c10", "transports": ["sse", "ws"], "load": {"clients": 10, "rate": 5, "duration_s": "2s"}}]})",
                         &error);
  ASSERT_TRUE(json) << error;
  auto s = suite_from_json(*json, &error);
  ASSERT_TRUE(s) << error;
  EXPECT_EQ(s->repeat, 2);
  ASSERT_EQ(s->points.size(), 1u);
  EXPECT_EQ(s->points[0].load.clients, 10u);
  EXPECT_EQ(s->points[0].load.duration_s, 2.0);
  EXPECT_EQ(s->points[0].transports.size(), 2u);
}

TEST(SuiteFile, ErrorsNameTheMemberToFix) {
  auto expect_error = [](const char* text, const char* needle) {
    std::string error;
    auto json = parse_json(text, &error);
    ASSERT_TRUE(json) << error;
    EXPECT_FALSE(suite_from_json(*json, &error)) << text;
    EXPECT_NE(error.find(needle), std::string::npos) << error;
  };
  expect_error(R"({"name": "x", "points": []})", "\"points\"");
  expect_error(R"({"name": "x", "pionts": []})", "\"pionts\" is not a suite member");
  expect_error(R"({"name": "x", "points": [{"tag": "a", "transports": ["comet"]}]})", "transport \"comet\"");
  expect_error(R"({"name": "x", "points": [{"tag": "a", "load": {"clients": -1}}]})", "clients");
  expect_error(R"({"name": "x", "points": [{"tag": "a", "load": {"url": "http://x"}}]})",
               "belongs to one run");
}

TEST(SuiteFile, TransportsAndPointsSelectPartOfASuite) {
  Suite s = *find_suite("tiny");
  std::string error;
  ASSERT_TRUE(select_transports(s, "ws,sse", &error)) << error;
  ASSERT_EQ(s.points.size(), 1u);
  EXPECT_EQ(s.points[0].transports,
            (std::vector<TransportKind>{*parse_transport("sse"), *parse_transport("ws")}));
  EXPECT_FALSE(select_transports(s, "comet", &error));
  Suite k = *find_suite("tiny");
  EXPECT_FALSE(select_points(k, "nope", &error));
  EXPECT_NE(error.find(k.points[0].tag), std::string::npos) << "the error lists the tags: " << error;
  ASSERT_TRUE(select_points(k, k.points[0].tag, &error)) << error;
}

TEST(SuiteFile, TlsAndBaselineRoundTrip) {
  std::string error;
  auto json = parse_json(R"({"name": "t", "points": [
      {"tag": "plain", "transports": ["sse"]},
      {"tag": "secure", "transports": ["sse"], "tls": true, "baseline": "plain"}]})",
                         &error);
  ASSERT_TRUE(json) << error;
  auto s = suite_from_json(*json, &error);
  ASSERT_TRUE(s) << error;
  ASSERT_EQ(s->points.size(), 2u);
  EXPECT_FALSE(s->points[0].tls);
  EXPECT_TRUE(s->points[1].tls);
  EXPECT_EQ(s->points[1].baseline, "plain");
  auto again = suite_from_json(suite_to_json(*s), &error);
  ASSERT_TRUE(again) << error;
  EXPECT_TRUE(again->points[1].tls);
  EXPECT_EQ(again->points[1].baseline, "plain");
  auto bad = parse_json(R"({"name": "t", "points": [{"tag": "a", "tls": "yes"}]})", &error);
  ASSERT_TRUE(bad) << error;
  EXPECT_FALSE(suite_from_json(*bad, &error));
  EXPECT_NE(error.find("\"tls\" must be true or false"), std::string::npos) << error;
}

TEST(SuiteFile, PickingAPointWithoutItsBaselineDropsTheComparisonOnly) {
  Suite s = *find_suite("tls");
  std::string error;
  ASSERT_TRUE(select_points(s, "cpr-tls-full", &error)) << error;
  ASSERT_EQ(s.points.size(), 1u);
  EXPECT_TRUE(s.points[0].tls);
  EXPECT_TRUE(s.points[0].baseline.empty());
  EXPECT_TRUE(check_suite(s).empty());
  Suite both = *find_suite("tls");
  ASSERT_TRUE(select_points(both, "cpr-plain,cpr-tls-full", &error)) << error;
  EXPECT_EQ(both.points[1].baseline, "cpr-plain");
}

}  // namespace
}  // namespace rtb
