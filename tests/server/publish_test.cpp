// POST /publish over loopback: the id as body, validation (UTF-8, empty, size, channel), chunked bodies, and
// /stats as valid JSON that counts what happened.
#include <gtest/gtest.h>

#include <string>

#include "tests/server/server_test_util.hpp"

namespace rtb::test {
namespace {

TEST(Publish, ReturnsTheAssignedIdAsBody) {
  TestServer server;
  BlockingClient c(server.port());
  for (int i = 1; i <= 5; ++i) {
    auto r = c.request("POST", "/publish", "event " + std::to_string(i));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, std::to_string(i));
    EXPECT_EQ(r->header("content-type"), "text/plain");
  }
  auto other = c.request("POST", "/publish?channel=other", "x");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->body, "1");
  auto again = c.request("POST", "/publish?channel=default", "y");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->body, "6");
}

TEST(Publish, InvalidUtf8Is400AndNothingIsPublished) {
  TestServer server;
  BlockingClient c(server.port());
  for (std::string body : {std::string("\xff"), std::string("ok\xc0\xaf"), std::string("cut \xe2\x82"),
                           std::string("\xed\xa0\x80")}) {
    auto r = c.request("POST", "/publish", body);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    EXPECT_EQ(r->body.find('\n'), r->body.size() - 1) << r->body;
  }
  auto poll = c.request("GET", "/poll");
  ASSERT_TRUE(poll);
  EXPECT_EQ(poll->status, 204);
  // Valid multi-byte text is accepted and comes back byte for byte.
  auto ok = c.request("POST", "/publish", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->body, "1");
  poll = c.request("GET", "/poll");
  ASSERT_TRUE(poll);
  EXPECT_EQ(poll->body, record(1, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
}

TEST(Publish, EmptyBodyIs400) {
  TestServer server;
  auto r = http_post(server.port(), "/publish", "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  auto poll = http_get(server.port(), "/poll");
  ASSERT_TRUE(poll);
  EXPECT_EQ(poll->status, 204);
}

TEST(Publish, BodyOverTheLimitIs413AndCloses) {
  ServerConfig config = TestServer::default_config();
  config.http.max_body_bytes = 16;
  TestServer server(config);
  BlockingClient exact(server.port());
  auto ok = exact.request("POST", "/publish", std::string(16, 'a'));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);

  BlockingClient c(server.port());
  auto r = c.request("POST", "/publish", std::string(17, 'b'));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_TRUE(c.wait_closed());

  // Chunked: the size is only known as the chunks arrive.
  BlockingClient chunked(server.port());
  ASSERT_TRUE(
      chunked.send("POST /publish HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "a\r\n0123456789\r\na\r\n0123456789\r\n0\r\n\r\n"));
  auto rc = chunked.read_response();
  ASSERT_TRUE(rc);
  EXPECT_EQ(rc->status, 413);
  EXPECT_TRUE(chunked.wait_closed());

  auto poll = http_get(server.port(), "/poll");
  ASSERT_TRUE(poll);
  EXPECT_EQ(poll->body, record(1, std::string(16, 'a')));
}

TEST(Publish, ChunkedBodyIsJoined) {
  TestServer server;
  BlockingClient c(server.port());
  ASSERT_TRUE(
      c.send("POST /publish?channel=ch HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
             "5\r\nhello\r\n"));
  ASSERT_TRUE(c.send("6\r\n world\r\n0\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "1");
  auto poll = c.request("GET", "/poll?channel=ch");
  ASSERT_TRUE(poll);
  EXPECT_EQ(poll->body, record(1, "hello world"));
}

TEST(Publish, BadChannelIs400) {
  TestServer server;
  auto r = http_post(server.port(), "/publish?channel=no%20spaces", "x");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  auto stats = get_stats(server.port());
  EXPECT_EQ(stats["events.published"], "0");
}

TEST(Publish, ChannelCapAnswers503) {
  ServerConfig config = TestServer::default_config();
  config.hub.max_channels = 1;
  TestServer server(config);
  EXPECT_EQ(publish(server.port(), "one", "x"), 1u);
  auto r = http_post(server.port(), "/publish?channel=two", "x");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(publish(server.port(), "one", "y"), 2u);
}

TEST(Publish, WrongMethodIs405WithAllow) {
  TestServer server;
  auto r = http_get(server.port(), "/publish");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->header("allow"), "POST");
}

TEST(Stats, IsValidJsonCountingWhatHappened) {
  TestServer server;
  const int port = server.port();
  ASSERT_EQ(publish(port, "default", "a"), 1u);  // connection 1
  ASSERT_EQ(publish(port, "default", "b"), 2u);  // connection 2
  auto full = http_get(port, "/poll?since=0");   // connection 3: 200 with 2 events
  ASSERT_TRUE(full);
  ASSERT_EQ(full->status, 200);
  auto empty = http_get(port, "/poll?since=2");  // connection 4: 204
  ASSERT_TRUE(empty);
  ASSERT_EQ(empty->status, 204);
  auto missing = http_get(port, "/missing");  // connection 5: 404
  ASSERT_TRUE(missing);
  ASSERT_EQ(missing->status, 404);
  {
    BlockingClient bad(port);  // connection 6: a parse error, answered 400 and closed
    ASSERT_TRUE(bad.send("NOT HTTP AT ALL\r\n\r\n"));
    auto r = bad.read_response();
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 400);
    ASSERT_TRUE(bad.wait_closed());
  }
  auto stats = get_stats(port);  // connection 7
  EXPECT_EQ(stats["events.published"], "2");
  EXPECT_EQ(stats["events.channels"], "1");
  EXPECT_EQ(stats["events.deliveries"], "0");  // nobody was subscribed
  EXPECT_EQ(stats["transports.poll.requests"], "2");
  EXPECT_EQ(stats["transports.poll.events_sent"], "2");
  EXPECT_EQ(stats["transports.poll.empty_responses"], "1");
  EXPECT_EQ(stats["http.requests"], "6");  // 2 publish, 2 poll, 1 404, and this /stats
  EXPECT_EQ(stats["http.2xx"], "4");       // this /stats answer is counted after its body was made
  EXPECT_EQ(stats["http.4xx"], "2");
  EXPECT_EQ(stats["http.5xx"], "0");
  EXPECT_EQ(stats["http.parse_errors"], "1");
  EXPECT_EQ(stats["http.header_timeouts"], "0");
  EXPECT_EQ(stats["connections.total"], "7");
  EXPECT_EQ(stats["connections.refused"], "0");
  ASSERT_TRUE(stats.count("connections.open"));
  EXPECT_GE(std::stoull(stats["connections.open"]), 1u);
  EXPECT_GT(std::stoull(stats["bytes.in"]), 0u);
  EXPECT_GT(std::stoull(stats["bytes.out"]), 0u);
  EXPECT_GT(std::stoull(stats["rss_bytes"]), 0u);
  EXPECT_TRUE(stats.count("dropped_slow_consumers"));

  auto head = http_get(port, "/stats");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->header("cache-control"), "no-store");
}

TEST(Stats, JsonFlattenerRejectsInvalidJson) {
  // The checker itself must be able to fail.
  EXPECT_TRUE(JsonFlattener::parse(R"({"a":{"b":1,"c":[true,"x"]}})").has_value());
  EXPECT_FALSE(JsonFlattener::parse(R"({"a":1,})").has_value());
  EXPECT_FALSE(JsonFlattener::parse(R"({"a":1}})").has_value());
  EXPECT_FALSE(JsonFlattener::parse(R"({"a":01})").has_value());
  EXPECT_FALSE(JsonFlattener::parse(R"({"a":1,"a":2})").has_value());
  EXPECT_FALSE(JsonFlattener::parse(R"({a:1})").has_value());
  EXPECT_EQ((*JsonFlattener::parse(R"({"a":{"b":12}})"))["a.b"], "12");
}

}  // namespace
}  // namespace rtb::test
