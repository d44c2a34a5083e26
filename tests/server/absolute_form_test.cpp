// A request target in absolute form ("GET http://host:port/poll HTTP/1.1", RFC 9112 3.2.2: what clients send
// through a forward proxy) is served like its origin form on every HTTP route.
#include <gtest/gtest.h>

#include <string>

#include "tests/server/server_test_util.hpp"

namespace rtb::test {
namespace {

std::string absolute(int port, const std::string& origin_form) {
  return "http://127.0.0.1:" + std::to_string(port) + origin_form;
}

TEST(AbsoluteFormTarget, PollAndLongPollAnswerAsForTheOriginForm) {
  TestServer server;
  ASSERT_EQ(publish(server.port(), "default", "hello"), 1u);
  auto poll = http_get(server.port(), absolute(server.port(), "/poll?since=0"));
  ASSERT_TRUE(poll);
  EXPECT_EQ(poll->status, 200);
  EXPECT_EQ(poll->body, record(1, "hello"));
  auto longpoll = http_get(server.port(), absolute(server.port(), "/longpoll?since=0"));
  ASSERT_TRUE(longpoll);
  EXPECT_EQ(longpoll->status, 200);
  EXPECT_NE(longpoll->body.find("hello"), std::string::npos) << longpoll->body;
  // The Host header names another server: the target's authority wins (and rtbench routes by path alone).
  BlockingClient c(server.port());
  ASSERT_TRUE(c.send("GET " + absolute(server.port(), "/poll?since=0") +
                     " HTTP/1.1\r\nHost: elsewhere.test\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, record(1, "hello"));
}

TEST(AbsoluteFormTarget, SseAndStatsAnswer200AndOtherSchemesAre404) {
  TestServer server;
  auto stats = http_get(server.port(), absolute(server.port(), "/stats"));
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->status, 200);
  BlockingClient sse(server.port());
  ASSERT_TRUE(sse.send("GET " + absolute(server.port(), "/sse") + " HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(sse.read_until("\r\n\r\n"));
  const std::string& head = sse.buffer();
  EXPECT_EQ(head.rfind("HTTP/1.1 200", 0), 0u) << head;
  EXPECT_NE(head.find("text/event-stream"), std::string::npos) << head;
  auto ftp = http_get(server.port(), "ftp://127.0.0.1/poll");
  ASSERT_TRUE(ftp);
  EXPECT_EQ(ftp->status, 404);
}

}  // namespace
}  // namespace rtb::test
