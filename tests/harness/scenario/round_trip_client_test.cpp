// RequestLoopClient and EchoLoopClient on their own, against a listener the test plays the server with: what
// a round-trip connection does when its server refuses, answers `Connection: close`, never answers, refuses
// the handshake or closes the WebSocket (whole runs against the real server: round_trip_run_test.cpp).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "harness/scenario/echo_loop_client.hpp"
#include "harness/scenario/payload_stamp.hpp"
#include "harness/scenario/request_loop_client.hpp"
#include "tests/support/client_loop.hpp"
#include "tests/support/test_listener.hpp"
#include "transports/websocket/ws_handshake.hpp"

namespace rtb::test {
namespace {

RoundTripTarget target_at(int port, std::string path) {
  RoundTripTarget target;
  target.server = loopback_options(port, "unused").server;
  target.host_header = "127.0.0.1";
  target.target = std::move(path);
  target.reconnect_delay_ms = 20;
  return target;
}

// A tally whose client may send at once and for good; nothing is in a measure window.
RoundTripTally open_tally() {
  RoundTripTally tally;
  tally.send_until_ns = UINT64_MAX;
  return tally;
}

// Accepts the next connection and reads its request head (up to the blank line); -1 when none came.
int accept_request(Loop& loop, TestListener& server, std::string& head) {
  int peer = -1;
  if (!run_until(loop, [&] { return (peer = server.accept_one()) >= 0; })) return -1;
  head.clear();
  if (!run_until(loop, [&] {
        TestListener::read_some(peer, head);
        return head.find("\r\n\r\n") != std::string::npos;
      })) {
    return -1;
  }
  return peer;
}

const SharedBuffer kGet = SharedBuffer::copy_of("GET /x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");

TEST(RequestLoopClient, RefusedConnectsFailTheConnectionAndAreRetried) {
  Loop loop(1);
  RoundTripTally tally = open_tally();
  const RoundTripTarget target = target_at(TestListener::closed_port(), "/x");
  RequestLoopClient client(loop, target, kGet, tally);
  client.open();
  ASSERT_TRUE(run_until(loop, [&] { return tally.errors.count(ClientErrorKind::kRefused) >= 2; }));
  EXPECT_EQ(client.state(), RoundTripClient::State::kFailed);
  EXPECT_EQ(tally.failed, 1u);
  EXPECT_EQ(tally.ready, 0u);
  EXPECT_EQ(client.counters().connects, 0u);
  client.stop();
  const std::uint64_t errors = tally.errors.total();
  run_briefly(loop);
  EXPECT_EQ(tally.errors.total(), errors);  // nothing after stop()
}

TEST(RequestLoopClient, AConnectionCloseAnswerIsHonouredByReconnectingAtOnce) {
  TestListener server;
  Loop loop(1);
  RoundTripTally tally = open_tally();
  const RoundTripTarget target = target_at(server.port(), "/x");
  RequestLoopClient client(loop, target, kGet, tally);
  client.open();
  client.begin();
  std::string head;
  const int first = accept_request(loop, server, head);
  ASSERT_GE(first, 0);
  EXPECT_EQ(head, kGet.view());
  TestListener::send_all(first, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
  ASSERT_GE(accept_request(loop, server, head), 0);  // the same request on a new connection
  EXPECT_EQ(head, kGet.view());
  EXPECT_EQ(client.state(), RoundTripClient::State::kReady);
  EXPECT_EQ(tally.ready, 1u);
  EXPECT_EQ(tally.answers, 1u);
  EXPECT_EQ(tally.errors.total(), 0u);
  EXPECT_EQ(client.counters().responses, 1u);
  EXPECT_EQ(client.counters().requests, 2u);
  EXPECT_EQ(client.counters().header_bytes_up, 2 * kGet.size());
  client.stop();
}

TEST(RequestLoopClient, AnUnansweredRequestTimesOutAndTheConnectionIsReplaced) {
  TestListener server;
  Loop loop(1);
  RoundTripTally tally = open_tally();
  RoundTripTarget target = target_at(server.port(), "/x");
  target.request_timeout_ms = 1000;
  RequestLoopClient client(loop, target, kGet, tally);
  client.open();
  client.begin();
  std::string head;
  ASSERT_GE(accept_request(loop, server, head), 0);
  EXPECT_EQ(client.in_flight(), 1u);
  client.check_timeout(monotonic_now_ns());  // not yet
  EXPECT_EQ(tally.errors.total(), 0u);
  client.check_timeout(monotonic_now_ns() + 2'000'000'000);
  EXPECT_EQ(tally.errors.count(ClientErrorKind::kTimeout), 1u);
  EXPECT_EQ(tally.errors.first_detail(ClientErrorKind::kTimeout),
            "no answer within --request-timeout-ms 1000");
  EXPECT_EQ(client.in_flight(), 0u);
  ASSERT_GE(accept_request(loop, server, head), 0);  // after the reconnect pause
  EXPECT_EQ(client.counters().connects, 2u);
  client.stop();
}

TEST(EchoLoopClient, ARefusedHandshakeIsReportedAndRetried) {
  TestListener server;
  Loop loop(1);
  RoundTripTally tally = open_tally();
  const RoundTripTarget target = target_at(server.port(), "/echo");
  EchoLoopClient client(loop, target, tally);
  client.open();
  std::string head;
  const int first = accept_request(loop, server, head);
  ASSERT_GE(first, 0);
  EXPECT_EQ(head.rfind("GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n", 0), 0u) << head;
  TestListener::send_all(first, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
  ASSERT_GE(accept_request(loop, server, head), 0);  // tried again after the pause
  EXPECT_EQ(tally.errors.count(ClientErrorKind::kHttpStatus), 1u);
  EXPECT_EQ(tally.errors.first_detail(ClientErrorKind::kHttpStatus),
            "HTTP 404 instead of 101 Switching Protocols");
  EXPECT_EQ(client.state(), RoundTripClient::State::kFailed);
  EXPECT_EQ(client.counters().requests, 2u);
  client.stop();
}

TEST(EchoLoopClient, TheServersCloseFrameEndsTheConnectionAndItComesBack) {
  TestListener server;
  Loop loop(1);
  RoundTripTally tally = open_tally();
  const RoundTripTarget target = target_at(server.port(), "/echo");
  EchoLoopClient client(loop, target, tally);
  client.open();
  std::string head;
  const int first = accept_request(loop, server, head);
  ASSERT_GE(first, 0);
  const std::string key = head.substr(head.find("Sec-WebSocket-Key: ") + 19, 24);
  // The 101 and a close frame (1001, "bye") in one write.
  TestListener::send_all(first, ws_build_101_response(ws_accept_for_key(key)) + std::string("\x88\x05\x03\xe9"
                                                                                            "bye",
                                                                                            7));
  ASSERT_GE(accept_request(loop, server, head), 0);
  EXPECT_EQ(tally.ready, 1u);
  EXPECT_EQ(tally.errors.count(ClientErrorKind::kReset), 1u);
  EXPECT_EQ(tally.errors.first_detail(ClientErrorKind::kReset),
            "the server closed the WebSocket with 1001: bye");
  EXPECT_EQ(client.counters().connects, 2u);
  EXPECT_EQ(client.counters().responses, 1u);
  client.stop();
}

}  // namespace
}  // namespace rtb::test
