#include "harness/scenario/load_merge.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace rtb {
namespace {

// A part with `delivered` latencies of `latency_ns` each, and the figures the merge combines.
LoadResult part(std::uint64_t clients, std::uint64_t delivered, std::uint64_t latency_ns) {
  LoadResult r;
  r.url = "http://127.0.0.1:8080";
  r.transport = "ws";
  r.clients = clients;
  r.connected = clients;
  r.delivered = delivered;
  r.expected = delivered;
  for (std::uint64_t i = 0; i < delivered; ++i) r.latency.record(latency_ns);
  r.bytes_down = delivered * 70;
  r.bytes_down_per_event = 70;
  r.tcp_segments_scope = "own_sockets";
  r.tcp_segments_own = delivered * 2;
  r.tcp_segments_host = 1'000'000;
  r.server_cpu_s = 0.5;
  r.server_cpu_us_per_op = delivered > 0 ? 0.5e6 / static_cast<double>(delivered) : std::nan("");
  r.generator_cpu_pct = 30;
  r.gen_cpu_us_per_op = 4;
  r.other_cpu_pct = 70;
  r.tls = "";
  r.start_time = "2026-12-06T10:00:01.000Z";
  r.end_time = "2026-12-06T10:00:09.000Z";
  return r;
}

TEST(MergeRule, EveryResultColumnHasOne) {
  for (const auto& c : load_result_columns()) EXPECT_TRUE(merge_rule(c.name).has_value()) << c.name;
}

TEST(MergeLoadResults, CountersAddAndPercentilesComeFromTheMergedHistogram) {
  LoadResult a = part(10, 900, 1'000'000);  // 900 x 1 ms
  LoadResult b = part(5, 100, 9'000'000);   // 100 x 9 ms
  a.other_cpu_pct = 50;
  b.start_time = "2026-12-06T10:00:00.500Z";
  b.gen_cpu_us_per_op = 14;
  b.generator_cpu_pct = 45;
  b.warnings = {"other work was running: x", "the publisher could not hold"};
  std::string error;
  auto m = merge_load_results({a, b}, MergeKind::kProcessesOfOneRun, &error);
  ASSERT_TRUE(m) << error;
  EXPECT_EQ(m->clients, 15u);
  EXPECT_EQ(m->delivered, 1000u);
  EXPECT_EQ(m->latency.count(), 1000u);
  // The 99th percentile of the whole is in b's 9 ms; averaging the parts' p99 would not say so.
  EXPECT_NEAR(m->p50_us, 1000, 2);
  EXPECT_NEAR(m->p99_us, 9000, 10);
  EXPECT_EQ(m->bytes_down, 70'000u);
  EXPECT_DOUBLE_EQ(m->bytes_down_per_event, 70);
  // Weighted by deliveries: (900 x 4 + 100 x 14) / 1000.
  EXPECT_DOUBLE_EQ(m->gen_cpu_us_per_op, 5);
  EXPECT_DOUBLE_EQ(m->generator_cpu_pct, 45);
  // The server was one process sampled by both over one window: its CPU once, over all deliveries.
  EXPECT_DOUBLE_EQ(m->server_cpu_s, 0.5);
  EXPECT_DOUBLE_EQ(m->server_cpu_us_per_op, 500);
  EXPECT_EQ(m->tcp_segments_scope, "own_sockets");
  EXPECT_EQ(m->tcp_segments, 2000u);
  // The sibling process's 45% is not "other work": 50 - 45.
  EXPECT_DOUBLE_EQ(m->other_cpu_pct, 5);
  EXPECT_EQ(m->start_time, "2026-12-06T10:00:00.500Z");
  ASSERT_EQ(m->warnings.size(), 2u);
  EXPECT_EQ(m->warnings[0], "generator process 1: the publisher could not hold");
}

TEST(MergeLoadResults, SeparateRunsKeepTheFirstRunsServerFiguresAndSaySo) {
  std::string error;
  auto m = merge_load_results({part(10, 900, 1'000'000), part(5, 100, 1'000'000)}, MergeKind::kSeparateRuns,
                              &error);
  ASSERT_TRUE(m) << error;
  EXPECT_NEAR(m->server_cpu_us_per_op, 0.5e6 / 900, 1e-9);
  EXPECT_DOUBLE_EQ(m->other_cpu_pct, 70);
  ASSERT_FALSE(m->warnings.empty());
  EXPECT_NE(m->warnings.back().find("first run's own"), std::string::npos);
}

TEST(MergeLoadResults, RefusesRunsOfDifferentSetupsAndPartsWithoutHistograms) {
  LoadResult sse = part(5, 100, 1'000'000);
  sse.transport = "sse";
  std::string error;
  EXPECT_FALSE(merge_load_results({part(10, 900, 1'000'000), sse}, MergeKind::kSeparateRuns, &error));
  EXPECT_NE(error.find("transport differs: ws in part 0, sse in part 1"), std::string::npos) << error;
  LoadResult from_csv = part(5, 100, 1'000'000);
  from_csv.latency = LatencyHistogram();
  EXPECT_FALSE(merge_load_results({part(10, 900, 1'000'000), from_csv}, MergeKind::kSeparateRuns, &error));
  EXPECT_NE(error.find("full histogram"), std::string::npos) << error;
  EXPECT_FALSE(merge_load_results({}, MergeKind::kSeparateRuns, &error));
}

}  // namespace
}  // namespace rtb
