#include "harness/runner/model_check.hpp"

#include <gtest/gtest.h>

namespace rtb {
namespace {

LoadResult result(double p50_ms, double p99_ms, double requests_per_event) {
  LoadResult r;
  r.rate = 1;
  r.poll_interval_ms = 1000;
  r.p50_us = p50_ms * 1000;
  r.p99_us = p99_ms * 1000;
  r.requests_per_event = requests_per_event;
  return r;
}

const ModelCheck* find(const std::vector<ModelCheck>& checks, const std::string& transport,
                       const std::string& fig) {
  for (const auto& c : checks) {
    if (c.transport == transport && c.figure == fig) return &c;
  }
  return nullptr;
}

TEST(CheckModels, ShortPollLatencyIsHalfAnIntervalPlusATransit) {
  LoadResult poll = result(502, 992, 1.0), ws = result(2, 5, 0), lp = result(2.5, 6, 1.0),
             sse = result(2, 4, 0);
  std::vector<CaseResults> cases = {{"p", "poll", {}, {&poll}},
                                    {"p", "longpoll", {}, {&lp}},
                                    {"p", "sse", {}, {&sse}},
                                    {"p", "ws", {}, {&ws}}};
  auto checks = check_models(cases);
  const ModelCheck* p50 = find(checks, "poll", "p50 latency (ms)");
  ASSERT_NE(p50, nullptr);
  EXPECT_DOUBLE_EQ(p50->model, 502);  // 1000 / 2 + the ws p50
  EXPECT_TRUE(p50->agrees);
  EXPECT_TRUE(find(checks, "poll", "p99 latency (ms)")->agrees);
  EXPECT_TRUE(find(checks, "poll", "requests per event")->agrees);
  EXPECT_TRUE(find(checks, "longpoll", "p50 latency (ms)")->agrees);
  EXPECT_TRUE(find(checks, "longpoll", "requests per event")->agrees);
  EXPECT_TRUE(find(checks, "ws", "requests per event")->agrees);
  EXPECT_TRUE(find(checks, "sse", "requests per event")->agrees);
}

TEST(CheckModels, SaysWhereTheMeasurementsDisagree) {
  LoadResult poll = result(757, 1480, 0.68), ws = result(18, 49, 0);
  std::vector<CaseResults> cases = {{"p", "poll", {}, {&poll}}, {"p", "ws", {}, {&ws}}};
  auto checks = check_models(cases);
  EXPECT_FALSE(find(checks, "poll", "p50 latency (ms)")->agrees);
  EXPECT_FALSE(find(checks, "poll", "requests per event")->agrees);
  std::string md = render_model_section(checks);
  EXPECT_NE(md.find("| p | poll | p50 latency (ms) | 757 | 518 |"), std::string::npos) << md;
  EXPECT_NE(md.find("off by +46%"), std::string::npos) << md;
  EXPECT_NE(
      md.find("**Disagree**: p poll p50 latency (ms); p poll p99 latency (ms); p poll requests per event."),
      std::string::npos)
      << md;
}

TEST(CheckModels, ComparesWithTheIntervalTheClientsKeptWhenTheirTimersRanLate) {
  LoadResult poll = result(690, 1340, 0.74), ws = result(8, 25, 0);
  poll.effective_poll_interval_ms = 1350;
  std::vector<CaseResults> cases = {{"p", "poll", {}, {&poll}}, {"p", "ws", {}, {&ws}}};
  auto checks = check_models(cases);
  const ModelCheck* kept = find(checks, "poll", "interval the clients kept (ms)");
  ASSERT_NE(kept, nullptr);
  EXPECT_FALSE(kept->agrees);
  EXPECT_FALSE(find(checks, "poll", "p50 latency (ms)")->agrees);
  const ModelCheck* p50 = find(checks, "poll", "p50 latency with the kept interval (ms)");
  ASSERT_NE(p50, nullptr);
  EXPECT_DOUBLE_EQ(p50->model, 683);  // 1350 / 2 + 8
  EXPECT_TRUE(p50->agrees);
  EXPECT_FALSE(find(checks, "poll", "requests per event")->agrees);
  EXPECT_TRUE(find(checks, "poll", "requests per event with the kept interval")->agrees);  // 0.74 vs 0.741
}

TEST(CheckModels, IdleShortPollingCostsOneRequestPerInterval) {
  LoadResult poll;
  poll.rate = 0;
  poll.poll_interval_ms = 1000;
  poll.connected = 100;
  poll.requests_per_s = 99;
  std::vector<CaseResults> cases = {{"idle", "poll", {}, {&poll}}};
  auto checks = check_models(cases);
  ASSERT_EQ(checks.size(), 1u);
  EXPECT_EQ(checks[0].figure, "requests/s per idle client");
  EXPECT_TRUE(checks[0].agrees);
}

}  // namespace
}  // namespace rtb
