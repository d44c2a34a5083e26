// LongPollClient against a real Worker: every event exactly once and in order, resume after the server drops
// the connection, re-polls after timeouts, and wire counters that add up to the bytes read (stop/start and
// gaps: tests/harness/scenario/client_contract_test.cpp, for every client).
#include "transports/longpoll/longpoll_client.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tests/server/server_test_util.hpp"
#include "tests/support/client_loop.hpp"
#include "tests/support/event_sequence.hpp"
#include "transports/server/worker.hpp"

namespace rtb::test {
namespace {

TEST(LongPollClient, ReceivesEveryEventOnceInOrder) {
  TestServer server;
  Loop loop(10);
  RecordingEvents got;
  ClientOptions options = loopback_options(server.port(), "lp");
  options.longpoll_timeout_ms = 60'000;
  LongPollClient client(loop, options, got);
  client.start();
  ASSERT_TRUE(run_until(loop, [&] { return got.connected == 1 && client.counters().requests == 1; }));
  publish_range(server.port(), "lp", 1, 20);
  ASSERT_TRUE(run_until(loop, [&] { return got.events.size() >= 20; }));
  publish_range(server.port(), "lp", 21, 50);
  ASSERT_TRUE(run_until(loop, [&] { return got.events.size() >= 50; }));
  // The client has re-polled and waits: one request more than answers.
  ASSERT_TRUE(run_until(loop, [&] { return client.counters().requests == client.counters().responses + 1; }));
  expect_exactly(got, 1, 50);
  EXPECT_EQ(client.last_id(), 50u);
  EXPECT_TRUE(got.errors.empty());
  EXPECT_TRUE(got.gaps.empty());
  EXPECT_EQ(client.counters().connects, 1u);
  EXPECT_EQ(client.counters().empty_responses, 0u);
  expect_counters_match_the_wire(loop, client.counters(), got);
  client.stop();
  EXPECT_TRUE(client.closed());
}

TEST(LongPollClient, ResumesWithoutLossAfterTheServerDropsTheConnection) {
  TestServer server;
  Loop loop(10);
  RecordingEvents got;
  ClientOptions options = loopback_options(server.port(), "drop");
  options.longpoll_timeout_ms = 60'000;
  LongPollClient client(loop, options, got);
  client.start();
  ASSERT_TRUE(run_until(loop, [&] { return client.counters().requests == 1; }));
  publish_range(server.port(), "drop", 1, 10);
  ASSERT_TRUE(run_until(loop, [&] { return got.events.size() >= 10; }));
  ASSERT_TRUE(run_until(loop, [&] { return client.counters().requests == client.counters().responses + 1; }));
  server.run_on_loop([&] { server.server().force_close_all(); });
  // Published while the client has no connection: history keeps them for the resumed poll.
  publish_range(server.port(), "drop", 11, 20);
  ASSERT_TRUE(run_until(loop, [&] { return got.events.size() >= 20; }));
  publish_range(server.port(), "drop", 21, 25);
  ASSERT_TRUE(run_until(loop, [&] { return got.events.size() >= 25; }));
  // Unanswered: the poll the drop cut off and the one now parked.
  ASSERT_TRUE(run_until(loop, [&] { return client.counters().requests == client.counters().responses + 2; }));
  expect_exactly(got, 1, 25);
  EXPECT_EQ(client.counters().connects, 2u);
  EXPECT_EQ(got.errors_of(ClientErrorKind::kReset), 1u);
  EXPECT_EQ(got.errors.size(), 1u);
  expect_counters_match_the_wire(loop, client.counters(), got);
}

TEST(LongPollClient, TimedOutPollsAreRepeatedAndCounted) {
  TestServer server;
  Loop loop(10);
  RecordingEvents got;
  ClientOptions options = loopback_options(server.port(), "idle");
  options.longpoll_timeout_ms = 150;
  LongPollClient client(loop, options, got);
  client.start();
  ASSERT_TRUE(run_until(loop, [&] { return client.counters().empty_responses >= 2; }));
  publish_range(server.port(), "idle", 1, 1);
  ASSERT_TRUE(run_until(loop, [&] { return got.events.size() >= 1; }));
  ASSERT_TRUE(run_until(loop, [&] { return client.counters().requests == client.counters().responses + 1; }));
  expect_exactly(got, 1, 1);
  EXPECT_EQ(client.counters().responses, client.counters().empty_responses + 1);
  EXPECT_TRUE(got.errors.empty());
  expect_counters_match_the_wire(loop, client.counters(), got);
}

TEST(LongPollClient, ReportsRefusedConnectionsAndKeepsTrying) {
  int port = 0;
  {
    TestServer gone;
    port = gone.port();
  }
  Loop loop(10);
  RecordingEvents got;
  LongPollClient client(loop, loopback_options(port, "none"), got);
  client.start();
  ASSERT_TRUE(run_until(loop, [&] { return got.errors_of(ClientErrorKind::kRefused) >= 2; }));
  EXPECT_EQ(got.errors_of(ClientErrorKind::kReset), 0u);
  EXPECT_EQ(client.counters().connects, 0u);
  client.stop();
  EXPECT_TRUE(client.closed());
}

}  // namespace
}  // namespace rtb::test
