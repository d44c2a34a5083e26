#include "harness/scenario/procs_load_run.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>

#include "harness/scenario/transport_kind.hpp"
#include "tests/harness/scenario/quick_load_config.hpp"
#include "tests/support/test_server.hpp"

namespace rtb {
namespace {

using test::TestServer;

ProcsLimits roomy_limits() {
  ProcsLimits l;
  l.descriptors = 20'000;
  l.ephemeral_ports = 28'232;
  l.memory_bytes = 20ull << 30;
  return l;
}

LoadConfig procs_config(std::uint32_t clients, std::uint32_t procs) {
  LoadConfig c;
  c.clients = clients;
  c.procs = procs;
  return c;
}

TEST(ProcsShare, SplitsEveryClientOnceAsEvenlyAsPossible) {
  const LoadConfig c = procs_config(10, 3);
  EXPECT_EQ(procs_share(c, 0), 4u);
  EXPECT_EQ(procs_share(c, 1), 3u);
  EXPECT_EQ(procs_share(c, 2), 3u);
}

TEST(ProcsCapacity, RefusesMoreConnectionsPerProcessThanItsDescriptorsAndSaysHowManyProcesses) {
  const std::string e = procs_capacity_error(procs_config(100'000, 4), true, roomy_limits());
  // 25,000 per process against 20,000 descriptors (32 kept): 100,000 / 19,968 -> 6 processes.
  EXPECT_NE(e.find("25000 connections in one process"), std::string::npos) << e;
  EXPECT_NE(e.find("--procs 6 or more"), std::string::npos) << e;
  LoadConfig enough = procs_config(100'000, 6);
  enough.sources.resize(4);
  EXPECT_EQ(procs_capacity_error(enough, true, roomy_limits()), "");
}

TEST(ProcsCapacity, RefusesMoreConnectionsThanTheSourcePortsToOneServerPort) {
  const std::string e = procs_capacity_error(procs_config(60'000, 4), true, roomy_limits());
  EXPECT_NE(e.find("1 source address(es) x 28232 ephemeral ports"), std::string::npos) << e;
  EXPECT_NE(e.find("--sources 3"), std::string::npos) << e;
  LoadConfig with_sources = procs_config(60'000, 4);
  with_sources.sources.resize(3);
  EXPECT_EQ(procs_capacity_error(with_sources, true, roomy_limits()), "");
  // In other network namespaces each process has its own ports.
  LoadConfig namespaced = procs_config(60'000, 4);
  namespaced.procs_exec = "ip netns exec g{i}";
  EXPECT_EQ(procs_capacity_error(namespaced, true, roomy_limits()), "");
}

TEST(ProcsCapacity, RefusesWhatMemoryCannotHoldWithTheArithmetic) {
  ProcsLimits l = roomy_limits();
  l.memory_bytes = 1ull << 30;
  LoadConfig c = procs_config(200'000, 20);
  c.sources.resize(10);
  const std::string e = procs_capacity_error(c, true, l);
  EXPECT_NE(e.find("12 KiB per connection"), std::string::npos) << e;
  EXPECT_NE(e.find("use at most 87381 clients"), std::string::npos) << e;
}

class ProcsLoadRun : public ::testing::TestWithParam<TransportKind> {};

// Three processes, one publisher: every process's subscribers get every event of the one window once, and
// the merged counts are exactly those of one run with all the clients.
TEST_P(ProcsLoadRun, ThreeProcessesDeliverEveryEventOnceToEverySubscriber) {
  TestServer server;
  LoadConfig c =
      test::quick_load_config(fmt::format("http://127.0.0.1:{}", server.port()), GetParam(), "procs");
  c.clients = 7;
  c.procs = 3;
  auto o = run_procs_load(c, nullptr, 0.5, RTB_SCENARIO_TEST_RTBENCH);
  ASSERT_TRUE(o.ok) << o.error;
  const LoadResult& r = o.result;
  EXPECT_EQ(r.clients, 7u);
  EXPECT_EQ(r.connected, 7u);
  // 100 events/s over a 1 s window: 100 measured events, each to all 7 subscribers.
  EXPECT_EQ(r.expected, 100u * 7);
  EXPECT_EQ(r.delivered, r.expected);
  EXPECT_EQ(r.lost, 0u);
  EXPECT_EQ(r.duplicated, 0u);
  EXPECT_EQ(r.reordered, 0u);
  EXPECT_EQ(r.unstamped_events, 0u);
  EXPECT_EQ(r.errors_total, 0u);
  EXPECT_EQ(r.latency.count(), r.delivered);
  EXPECT_LE(r.p50_us, r.p99_us);
  // Each process saw its siblings' sockets as other traffic; only the whole is checked against the host.
  for (const auto& w : r.warnings)
    EXPECT_FALSE(w.rfind("generator process", 0) == 0 && w.find("other TCP traffic") != std::string::npos)
        << w;
}

INSTANTIATE_TEST_SUITE_P(Transports, ProcsLoadRun, ::testing::ValuesIn(all_transports()),
                         [](const auto& info) { return std::string(transport_name(info.param)); });

TEST(ProcsLoadRunFaults, AProcessThatCannotStartEndsTheRunWithItsName) {
  LoadConfig c = test::quick_load_config("http://127.0.0.1:1", *parse_transport("ws"), "procs");
  c.procs = 2;
  c.procs_exec = "/nonexistent/wrapper-{i}";
  auto o = run_procs_load(c, nullptr, 0.5, RTB_SCENARIO_TEST_RTBENCH);
  ASSERT_FALSE(o.ok);
  EXPECT_NE(o.error.find("generator process 0"), std::string::npos) << o.error;
  EXPECT_NE(o.error.find("/nonexistent/wrapper-0"), std::string::npos) << o.error;
}

TEST(ProcsLoadRunFaults, ANoServerRunFailsInsteadOfWaiting) {
  LoadConfig c = test::quick_load_config("http://127.0.0.1:1", *parse_transport("ws"), "procs");
  c.procs = 2;
  auto o = run_procs_load(c, nullptr, 0.5, RTB_SCENARIO_TEST_RTBENCH);
  ASSERT_FALSE(o.ok);
  EXPECT_NE(o.error.find("generator process 0 ended with exit 2"), std::string::npos) << o.error;
}

}  // namespace
}  // namespace rtb
