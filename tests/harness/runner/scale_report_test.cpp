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
  EXPECT_NE(md.find("| 10,000 | 10,000 | 15000 | 1300 | 3900 | 100 | 99 | 50 | 0 |"), std::string::npos)
      << md;
  EXPECT_NE(md.find("| 100,000 | 100,000 | 15000 | 1365 | 3900 | 900 | 899 | 450 | 0 |"), std::string::npos)
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

}  // namespace
}  // namespace rtb
