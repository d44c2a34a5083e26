// SseClient against a real Worker: every event exactly once and in order, resume with Last-Event-ID after the
// server drops the stream (also before the first event), rejection, and wire counters that add up (stop/start
// and gaps: tests/harness/scenario/client_contract_test.cpp, for every client).
#include "transports/sse/sse_client.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tests/server/server_test_util.hpp"
#include "tests/support/client_loop.hpp"
#include "tests/support/event_sequence.hpp"
#include "tests/support/test_listener.hpp"
#include "transports/server/worker.hpp"
#include "transports/sse/sse_transport.hpp"

namespace rtb::test {
namespace {

ServerConfig quick_retry_config() {
  ServerConfig config = TestServer::default_config();
  config.transports.get<SseConfig>().retry_ms = 30;  // reconnects in the tests come back quickly
  return config;
}

TEST(SseClient, ReceivesEveryEventOnceInOrder) {
  TestServer server;
  Loop loop(10);
  RecordingEvents got;
  SseClient client(loop, loopback_options(server.port(), "sse"), got);
  client.start();
  // The stream is open once the live-edge position has arrived.
  ASSERT_TRUE(run_until(loop, [&] { return client.resume_id() == "0"; }));
  publish_range(server.port(), "sse", 1, 20);
  ASSERT_TRUE(run_until(loop, [&] { return got.events.size() >= 20; }));
  publish_range(server.port(), "sse", 21, 50);
  ASSERT_TRUE(run_until(loop, [&] { return got.events.size() >= 50; }));
  expect_exactly(got, 1, 50);
  EXPECT_EQ(client.last_id(), 50u);
  EXPECT_EQ(client.resume_id(), "50");
  EXPECT_TRUE(got.errors.empty());
  EXPECT_EQ(client.counters().connects, 1u);
  EXPECT_EQ(client.counters().requests, 1u);
  expect_counters_match_the_wire(loop, client.counters(), got);
  client.stop();
  EXPECT_TRUE(client.closed());
}

TEST(SseClient, ResumesWithLastEventIdAfterTheServerDropsTheStream) {
  TestServer server(quick_retry_config());
  Loop loop(10);
  RecordingEvents got;
  SseClient client(loop, loopback_options(server.port(), "drop"), got);
  client.start();
  ASSERT_TRUE(run_until(loop, [&] { return client.resume_id() == "0"; }));
  publish_range(server.port(), "drop", 1, 10);
  ASSERT_TRUE(run_until(loop, [&] { return got.events.size() >= 10; }));
  server.run_on_loop([&] { server.server().force_close_all(); });
  publish_range(server.port(), "drop", 11, 20);
  ASSERT_TRUE(run_until(loop, [&] { return got.events.size() >= 20; }));
  publish_range(server.port(), "drop", 21, 25);
  ASSERT_TRUE(run_until(loop, [&] { return got.events.size() >= 25; }));
  expect_exactly(got, 1, 25);
  EXPECT_EQ(client.counters().connects, 2u);
  EXPECT_EQ(client.counters().requests, 2u);
  EXPECT_TRUE(got.errors.empty()) << got.errors[0].detail;  // a clean end of stream is not an error
  expect_counters_match_the_wire(loop, client.counters(), got);
}

// The live-edge position the server sends first is what makes this loss-free: the stream breaks before any
// event arrived, yet the events published meanwhile are replayed and the older ones are not.
TEST(SseClient, ResumesFromTheLiveEdgeWhenDroppedBeforeTheFirstEvent) {
  TestServer server(quick_retry_config());
  publish_range(server.port(), "edge", 1, 3);
  Loop loop(10);
  RecordingEvents got;
  SseClient client(loop, loopback_options(server.port(), "edge"), got);
  client.start();
  ASSERT_TRUE(run_until(loop, [&] { return client.resume_id() == "3"; }));
  server.run_on_loop([&] { server.server().force_close_all(); });
  publish_range(server.port(), "edge", 4, 6);
  ASSERT_TRUE(run_until(loop, [&] { return got.events.size() >= 3; }));
  publish_range(server.port(), "edge", 7, 7);
  ASSERT_TRUE(run_until(loop, [&] { return got.events.size() >= 4; }));
  expect_exactly(got, 4, 7);
  EXPECT_EQ(client.counters().connects, 2u);
}

TEST(SseClient, HeartbeatsAreFramingAndDeliverNothing) {
  ServerConfig config = TestServer::default_config();
  config.transports.get<SseConfig>().heartbeat_ms = 100;
  TestServer server(config);
  Loop loop(10);
  RecordingEvents got;
  SseClient client(loop, loopback_options(server.port(), "hb"), got);
  client.start();
  const std::uint64_t before_heartbeats = std::string_view("retry: 3000\n\nid: 0\n\n").size();
  ASSERT_TRUE(run_until(loop, [&] { return client.counters().framing_bytes_down >= before_heartbeats + 6; }));
  EXPECT_TRUE(got.events.empty());
  EXPECT_EQ(client.counters().payload_bytes_down, 0u);
  EXPECT_EQ((client.counters().framing_bytes_down - before_heartbeats) % 3, 0u);  // whole ":\n\n" records
  expect_counters_match_the_wire(loop, client.counters(), got);
}

TEST(SseClient, AnErrorStatusFailsTheSourceForGood) {
  TestServer server;
  Loop loop(10);
  RecordingEvents got;
  SseClient client(loop, loopback_options(server.port(), "bad%20name"), got);
  client.start();
  ASSERT_TRUE(run_until(loop, [&] { return client.rejected() && !got.errors.empty(); }));
  EXPECT_EQ(got.errors_of(ClientErrorKind::kHttpStatus), 1u);
  EXPECT_EQ(got.errors[0].detail, "HTTP 400");
  EXPECT_EQ(client.counters().requests, 1u);
  expect_counters_match_the_wire(loop, client.counters(), got);
}

// An EventSource whose connection fails reconnects (WHATWG: "reestablish the connection"), reporting each
// try.
TEST(SseClient, ReportsRefusedConnectionsAndKeepsTrying) {
  Loop loop(10);
  RecordingEvents got;
  SseClient client(loop, loopback_options(TestListener::closed_port(), "none"), got);
  client.start();
  ASSERT_TRUE(run_until(loop, [&] { return got.errors_of(ClientErrorKind::kRefused) >= 2; }));
  EXPECT_EQ(got.errors_of(ClientErrorKind::kRefused), got.errors.size());
  EXPECT_EQ(client.counters().connects, 0u);
  EXPECT_FALSE(client.rejected());
  client.stop();
  EXPECT_TRUE(client.closed());
}

// A server that takes the request and never answers: the response head's deadline ends the attempt, and the
// client comes back on a new connection.
TEST(SseClient, AStreamWithoutAResponseHeadTimesOutAndReconnects) {
  TestListener server;
  Loop loop(10);
  RecordingEvents got;
  ClientOptions options = loopback_options(server.port(), "silent");
  options.request_timeout_ms = 50;
  SseClient client(loop, options, got);
  client.start();
  ASSERT_TRUE(run_until(loop, [&] {
    server.accept_one();
    return got.errors_of(ClientErrorKind::kTimeout) >= 1 && client.counters().requests >= 2;
  }));
  EXPECT_EQ(got.errors_of(ClientErrorKind::kTimeout), got.errors.size());
  EXPECT_EQ(got.errors[0].detail, "no response head for the event stream");
  EXPECT_EQ(client.counters().connects, client.counters().requests);
  client.stop();
}

}  // namespace
}  // namespace rtb::test
