#include "harness/runner/scale_report.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rtb {
namespace {

// One broadcast to `clients`: every client got the one event.
LoadResult broadcast(std::uint64_t clients, double server_bytes, double max_ms) {
  LoadResult r;
  r.transport = "ws";
  r.clients = r.connected = clients;
  r.expected = r.delivered = clients;
  r.connects_per_s = 15000;
  r.server_bytes_per_idle_conn = server_bytes;
  r.kernel_socket_bytes_per_conn = 3900;
  r.max_us = max_ms * 1000;
  r.publish_max_lateness_us = 1000;
  r.p50_us = max_ms * 500;
  r.rate = 0.2;
  r.duration_s = 5;
  return r;
}

TEST(ScaleSection, TabulatesEachClientCountAndSaysWhereItStopped) {
  const LoadResult small = broadcast(10'000, 1300, 100);
  const LoadResult big = broadcast(100'000, 1365, 900);
  RunRecord failed_run;
  failed_run.point = "c1000000";
  failed_run.transport = "ws";
  failed_run.error = "the load generator was still running after 900 s";
  std::vector<CaseResults> cases = {
      {"c10000", "ws", {}, {&small}}, {"c100000", "ws", {}, {&big}}, {"c1000000", "ws", {&failed_run}, {}}};
  const std::string md = render_scale_section(cases);
  EXPECT_NE(md.find("| 10,000 | 10,000 | 15000 | 1300 | 3900 | 100 | 50 | 0 |"), std::string::npos)
      << md;
  EXPECT_NE(md.find("| 100,000 | 100,000 | 15000 | 1365 | 3900 | 900 | 450 | 0 |"), std::string::npos)
      << md;
  EXPECT_NE(md.find("| 1,000,000 | failed: the load generator was still running after 900 s |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("**ws**: held 100,000 connections"), std::string::npos) << md;
  EXPECT_NE(md.find("at 100,000 is 1.05x the figure at 10,000"), std::string::npos) << md;
  EXPECT_NE(md.find("1,000,000 clients did not run to the end"), std::string::npos) << md;
}

TEST(ScaleSection, LossStopsTheSweepAndOneClientCountIsNoSweep) {
  const LoadResult small = broadcast(10'000, 1300, 100);
  LoadResult lossy = broadcast(20'000, 1300, 100);
  lossy.delivered = 19'990;
  lossy.lost = 10;
  std::vector<CaseResults> cases = {{"c10000", "ws", {}, {&small}}, {"c20000", "ws", {}, {&lossy}}};
  EXPECT_NE(render_scale_section(cases).find("at 20,000 clients 20,000 connected and 10 events were lost"),
            std::string::npos);
  EXPECT_EQ(render_scale_section({{"c10000", "ws", {}, {&small}}}), "");
}

TEST(ScaleSection, ABroadcastThatWasNotMeasuredIsSaidNotSkipped) {
  const LoadResult small = broadcast(10'000, 1300, 100);
  LoadResult unmeasured = broadcast(500'000, 1300, 100);
  unmeasured.expected = unmeasured.delivered = 0;
  unmeasured.errors_total = 41'426;
  unmeasured.error_examples = {{"reset", "connection closed without a close frame"}};
  std::vector<CaseResults> cases = {{"c10000", "ws", {}, {&small}}, {"c500000", "ws", {}, {&unmeasured}}};
  const std::string md = render_scale_section(cases);
  EXPECT_NE(md.find("| 500,000 | 500,000 | broadcast not measured: 0 expected, 0 delivered, 41,426 connection "
                    "errors"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("at 500,000 clients the broadcast was not measured (0 expected of 500,000 connected; 41,426 "
                    "connection errors, first: connection closed without a close frame)"),
            std::string::npos)
      << md;
}

}  // namespace
}  // namespace rtb
