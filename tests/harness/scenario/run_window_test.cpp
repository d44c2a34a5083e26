#include "harness/scenario/run_window.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace rtb {
namespace {

struct Snapshots {
  RunSnapshot before, idle, start, end;
};

// 200 idle connections; the server grew by 300 KiB, the socket caches by 1.6 MB, the window saw 1000 events.
Snapshots sample() {
  Snapshots s;
  s.before.server = ProcSample{};
  s.before.server->rss_bytes = 10'000'000;
  s.idle.server = ProcSample{};
  s.idle.server->rss_bytes = 10'000'000 + 300 * 1024;
  s.before.socket_slab_bytes = 5'000'000;
  s.idle.socket_slab_bytes = 6'600'000;
  s.start.mono_ns = 1'000'000'000;
  s.end.mono_ns = 3'000'000'000;
  s.start.server = ProcSample{};
  s.start.server->cpu_user_s = 1.0;
  s.end.server = ProcSample{};
  s.end.server->cpu_user_s = 1.25;
  s.end.server->cpu_system_s = 0.25;
  return s;
}

LoadResult fill(const Snapshots& s, bool loopback) {
  LoadResult r;
  r.delivered = 1000;
  fill_process_figures(r, RunWindowSnapshots{s.before, s.idle, 200, s.start, s.end, loopback});
  return r;
}

TEST(RunWindow, KernelSocketMemoryIsPerSocketWithBothEndsOnLoopback) {
  const Snapshots s = sample();
  EXPECT_DOUBLE_EQ(fill(s, true).kernel_socket_bytes_per_conn, 1'600'000.0 / 400);
  EXPECT_DOUBLE_EQ(fill(s, false).kernel_socket_bytes_per_conn, 1'600'000.0 / 200);
}

TEST(RunWindow, KernelSocketMemoryIsNanWithoutSlabinfo) {
  Snapshots s = sample();
  s.idle.socket_slab_bytes.reset();
  EXPECT_TRUE(std::isnan(fill(s, true).kernel_socket_bytes_per_conn));
}

TEST(RunWindow, ServerMemoryPerIdleConnectionAndCpuPerEvent) {
  const LoadResult r = fill(sample(), true);
  EXPECT_DOUBLE_EQ(r.server_bytes_per_idle_conn, 300.0 * 1024 / 200);
  EXPECT_DOUBLE_EQ(r.server_cpu_s, 0.5);
  EXPECT_DOUBLE_EQ(r.server_cpu_us_per_op, 500.0);
}

}  // namespace
}  // namespace rtb
