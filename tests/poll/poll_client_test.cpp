// PollClient against a real Worker and against a listener the test plays: every event exactly once and in
// order, keep-alive and connection-per-request polling, refused connects, a poll nobody answers, and a poll
// that falls due while the connection is still being made (stop/start and gaps:
// tests/harness/scenario/client_contract_test.cpp, for every client).
#include "transports/poll/poll_client.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tests/server/server_test_util.hpp"
#include "tests/support/client_loop.hpp"
#include "tests/support/event_sequence.hpp"
#include "tests/support/test_listener.hpp"
#include "transports/server/worker.hpp"

namespace rtb::test {
namespace {

ClientOptions quick_polls(int port, std::string channel) {
  ClientOptions options = loopback_options(port, std::move(channel));
  options.poll_interval_ms = 20;
  return options;
}

std::size_t count_of(const std::string& text, std::string_view needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST(PollClient, ReceivesEveryEventOnceInOrderOnOneKeepAliveConnection) {
  TestServer server;
  Loop loop(1);
  RecordingEvents got;
  PollClient client(loop, quick_polls(server.port(), "poll"), got, 0);
  client.start();
  ASSERT_TRUE(run_until(loop, [&] { return got.connected == 1 && client.counters().responses >= 1; }));
  publish_range(server.port(), "poll", 1, 20);
  ASSERT_TRUE(run_until(loop, [&] { return got.events.size() >= 20; }));
  publish_range(server.port(), "poll", 21, 30);
  ASSERT_TRUE(run_until(loop, [&] { return got.events.size() >= 30; }));
  client.stop();
  EXPECT_TRUE(client.closed());
  expect_exactly(got, 1, 30);
  EXPECT_EQ(client.last_id(), 30u);
  EXPECT_TRUE(got.errors.empty());
  EXPECT_EQ(client.counters().connects, 1u);
  EXPECT_GE(client.counters().empty_responses, 1u);
  EXPECT_GE(client.counters().requests, client.counters().responses);
  expect_counters_match_the_wire(loop, client.counters(), got);
}

TEST(PollClient, ConnectionPerRequestOpensOneConnectionForEveryPoll) {
  TestServer server;
  publish_range(server.port(), "close", 1, 3);
  Loop loop(1);
  RecordingEvents got;
  ClientOptions options = quick_polls(server.port(), "close");
  options.connection_per_request = true;
  PollClient client(loop, options, got, 0);
  client.start();
  ASSERT_TRUE(run_until(loop, [&] { return client.counters().responses >= 4; }));
  client.stop();
  expect_exactly(got, 1, 3);
  EXPECT_TRUE(got.errors.empty());
  // Every poll but possibly the one stop() cut off was answered, each on a connection of its own.
  EXPECT_EQ(client.counters().connects, client.counters().requests);
  EXPECT_GE(client.counters().responses + 1, client.counters().requests);
}

TEST(PollClient, RefusedConnectsAreReportedAndPollingGoesOn) {
  Loop loop(1);
  RecordingEvents got;
  PollClient client(loop, quick_polls(TestListener::closed_port(), "none"), got, 0);
  client.start();
  ASSERT_TRUE(run_until(loop, [&] { return got.errors_of(ClientErrorKind::kRefused) >= 3; }));
  EXPECT_EQ(got.errors_of(ClientErrorKind::kRefused), got.errors.size());
  EXPECT_EQ(client.counters().connects, 0u);
  EXPECT_EQ(client.counters().requests, 0u);
  client.stop();
  EXPECT_TRUE(client.closed());
}

TEST(PollClient, APollNobodyAnswersIsATimeoutAndTheNextPollReconnects) {
  TestListener server;  // connects, reads nothing, answers nothing
  Loop loop(1);
  RecordingEvents got;
  ClientOptions options = quick_polls(server.port(), "silent");
  options.request_timeout_ms = 50;
  PollClient client(loop, options, got, 0);
  client.start();
  ASSERT_TRUE(run_until(loop, [&] {
    server.accept_one();
    return got.errors_of(ClientErrorKind::kTimeout) >= 2 && server.accepted() >= 2;
  }));
  EXPECT_EQ(got.errors_of(ClientErrorKind::kTimeout), got.errors.size());
  EXPECT_GE(client.counters().connects, 2u);
  EXPECT_EQ(client.counters().responses, 0u);
  client.stop();
  EXPECT_TRUE(client.closed());
}

// The first poll falls due while the keep-alive connection is still being made (the listener's queue is
// full until the test makes room): it goes out once, when the connection is up, not once more on connect.
TEST(PollClient, APollDueWhileConnectingGoesOutOnceConnected) {
  TestListener server(0);
  ASSERT_TRUE(server.fill_backlog());
  Loop loop(1);
  RecordingEvents got;
  PollClient client(loop, quick_polls(server.port(), "slow"), got, 0);
  client.start();
  run_briefly(loop);  // the first poll is due; the connect is still waiting for room
  EXPECT_EQ(got.connected, 0);
  ASSERT_GE(server.accept_one(), 0);  // the filler's connection: the client's SYN is let in on its retry
  int peer = -1;
  ASSERT_TRUE(run_until(loop, [&] { return (peer = server.accept_one()) >= 0; }));
  ASSERT_TRUE(run_until(loop, [&] { return got.connected == 1; }));
  std::string request;
  ASSERT_TRUE(run_until(loop, [&] {
    TestListener::read_some(peer, request);
    return request.find("\r\n\r\n") != std::string::npos;
  }));
  run_briefly(loop);
  TestListener::read_some(peer, request);
  EXPECT_EQ(count_of(request, "GET /poll?channel=slow&since=0 HTTP/1.1\r\n"), 1u) << request;
  EXPECT_EQ(client.counters().requests, 1u);
  client.stop();
}

}  // namespace
}  // namespace rtb::test
