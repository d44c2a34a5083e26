#include "harness/scenario/run_window.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

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
  EXPECT_DOUBLE_EQ(r.server_user_cpu_us_per_op, 250.0);  // utime alone: 0.25 s of the 0.5
}

bool mentions(const std::vector<std::string>& lines, const std::string& text) {
  for (const auto& l : lines) {
    if (l.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(RunWindow, NegativeMemoryPerConnectionIsNeverAFigure) {
  Snapshots s = sample();
  s.idle.socket_slab_bytes =
      4'000'000;  // the caches shrank while connecting: another process's sockets closed
  const LoadResult r = fill(s, true);
  EXPECT_TRUE(std::isnan(r.kernel_socket_bytes_per_conn));
  EXPECT_EQ(r.suspect_count, 1u);
  EXPECT_TRUE(mentions(r.suspects, "kernel_socket_bytes_per_conn: came out negative"));
}

TEST(RunWindow, SegmentsComeFromOwnSocketsAndTheHostCountIsTheCrossCheck) {
  Snapshots s = sample();
  s.start.snmp = TcpSnmp{};
  s.end.snmp = TcpSnmp{};
  s.start.own_sockets = {{1, {100, 100}}};
  s.end.own_sockets = {{1, {1100, 1100}}};
  s.end.snmp->out_segs = 2000;  // the host saw exactly our connections
  LoadResult r = fill(s, true);
  EXPECT_EQ(r.tcp_segments, 2000u);
  EXPECT_EQ(r.tcp_segments_scope, "own_sockets");
  EXPECT_DOUBLE_EQ(r.tcp_segments_per_event, 2.0);
  EXPECT_TRUE(r.warnings.empty());

  s.end.snmp->out_segs = 100'000;  // someone else sent 98,000 segments on the host meanwhile
  r = fill(s, true);
  EXPECT_EQ(r.tcp_segments, 2000u) << "other traffic must not enter the figure";
  EXPECT_EQ(r.tcp_segments_host, 100'000u);
  EXPECT_TRUE(mentions(r.warnings, "other TCP traffic on the host"));

  s.end.snmp->out_segs = 500;  // fewer host-wide than on our own sockets: a counter is wrong
  r = fill(s, true);
  EXPECT_TRUE(mentions(r.suspects, "more than the whole host"));
}

TEST(RunWindow, SocketsClosedInTheWindowFallBackToTheHostCountAndSaySo) {
  Snapshots s = sample();
  s.start.snmp = TcpSnmp{};
  s.end.snmp = TcpSnmp{};
  s.end.snmp->out_segs = 3000;
  s.start.own_sockets = {{1, {100, 100}}, {2, {5, 5}}};
  s.end.own_sockets = {{1, {1100, 1100}}};
  const LoadResult r = fill(s, true);
  EXPECT_EQ(r.tcp_segments, 3000u);
  EXPECT_EQ(r.tcp_segments_scope, "loopback_both_ends");
  EXPECT_EQ(r.tcp_sockets_gone, 1u);
  EXPECT_TRUE(mentions(r.warnings, "closed inside the measure window"));
}

// A connection per request opens and closes sockets between the readings: neither sees them, so the own
// count would miss them; the connects the subscribers made in the window tell.
TEST(RunWindow, ConnectionsOpenedAndClosedInTheWindowFallBackToTheHostCount) {
  Snapshots s = sample();
  s.start.snmp = TcpSnmp{};
  s.end.snmp = TcpSnmp{};
  s.end.snmp->out_segs = 80'000;
  s.start.own_sockets = {{1, {100, 100}}};
  s.end.own_sockets = {{1, {120, 120}}, {7, {10, 10}}};  // one new socket seen at the end
  s.start.wire.connects = 500;
  s.end.wire.connects = 511;  // eleven opened: ten came and went unseen
  const LoadResult r = fill(s, true);
  EXPECT_EQ(r.tcp_sockets_gone, 10u);
  EXPECT_EQ(r.tcp_segments, 80'000u);
  EXPECT_EQ(r.tcp_segments_scope, "loopback_both_ends");
  EXPECT_TRUE(mentions(r.warnings, "closed inside the measure window"));
  EXPECT_FALSE(mentions(r.warnings, "other TCP traffic"));
  // Every connect accounted for by a socket seen at the end: the own count stands.
  s.end.wire.connects = 501;
  const LoadResult whole = fill(s, true);
  EXPECT_EQ(whole.tcp_sockets_gone, 0u);
  EXPECT_EQ(whole.tcp_segments_scope, "own_sockets");
}

TEST(RunWindow, OtherProcessesCpuDrivesTheOtherWorkWarning) {
  Snapshots s = sample();  // 2 s window, server 0.5 s of CPU
  s.start.host_cpu = HostCpu{10.0, 100.0};
  s.end.host_cpu = HostCpu{10.0 + 0.5 + 0.1 + 1.0, 104.0};  // server + generator + 1 s of someone else
  s.end.process_cpu_s = 0.1;
  LoadResult r = fill(s, true);
  EXPECT_NEAR(r.other_cpu_pct, 50.0, 1e-9);
  EXPECT_TRUE(mentions(r.warnings, "other work was running"));
  s.end.host_cpu->busy_s = 10.0 + 0.6;  // nobody else
  r = fill(s, true);
  EXPECT_NEAR(r.other_cpu_pct, 0.0, 1e-9);
  EXPECT_FALSE(mentions(r.warnings, "other work was running"));
}

}  // namespace
}  // namespace rtb
