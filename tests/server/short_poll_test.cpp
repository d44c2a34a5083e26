// GET /poll over loopback: 204 when empty, the exact batch records otherwise, `since` filtering, validation
// of `since` and `channel`, the history gap, the batch cap and HEAD.
#include <gtest/gtest.h>

#include <string>

#include "tests/server/server_test_util.hpp"

namespace rtb::test {
namespace {

TEST(ShortPoll, EmptyChannelAnswers204WithNoBody) {
  TestServer server;
  auto r = http_get(server.port(), "/poll");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(r->body, "");
  EXPECT_EQ(r->header("cache-control"), "no-cache");
  EXPECT_EQ(r->header("content-length"), "");
  // Polling a channel that was never published to does not create it.
  auto named = http_get(server.port(), "/poll?channel=nobody&since=0");
  ASSERT_TRUE(named);
  EXPECT_EQ(named->status, 204);
  auto stats = get_stats(server.port());
  EXPECT_EQ(stats["events.channels"], "0");
}

TEST(ShortPoll, AnswersTheExactBatchRecords) {
  TestServer server;
  ASSERT_EQ(publish(server.port(), "default", "hello"), 1u);
  ASSERT_EQ(publish(server.port(), "default", "two\nlines"), 2u);
  ASSERT_EQ(publish(server.port(), "default", "crlf\r\nend"), 3u);
  auto r = http_get(server.port(), "/poll?since=0");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("content-type"), "text/event-stream; charset=utf-8");
  EXPECT_EQ(r->header("cache-control"), "no-cache");
  EXPECT_EQ(r->header("x-rtb-gap"), "");
  const std::string expected =
      "id: 1\ndata: hello\n\n"
      "id: 2\ndata: two\ndata: lines\n\n"
      "id: 3\ndata: crlf\ndata: end\n\n";
  EXPECT_EQ(r->body, expected);
  EXPECT_EQ(r->header("content-length"), std::to_string(expected.size()));
  // No since at all means since=0.
  auto all = http_get(server.port(), "/poll");
  ASSERT_TRUE(all);
  EXPECT_EQ(all->body, expected);
}

TEST(ShortPoll, SinceReturnsOnlyLaterIds) {
  TestServer server;
  for (int i = 1; i <= 4; ++i)
    ASSERT_EQ(publish(server.port(), "default", "e" + std::to_string(i)), std::uint64_t(i));
  BlockingClient c(server.port());
  auto r = c.request("GET", "/poll?channel=default&since=2");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, record(3, "e3") + record(4, "e4"));
  r = c.request("GET", "/poll?since=3");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, record(4, "e4"));
  r = c.request("GET", "/poll?since=4");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  r = c.request("GET", "/poll?since=1000");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
}

TEST(ShortPoll, ChannelsAreIndependent) {
  TestServer server;
  ASSERT_EQ(publish(server.port(), "a", "for a"), 1u);
  ASSERT_EQ(publish(server.port(), "b", "for b"), 1u);
  ASSERT_EQ(publish(server.port(), "a", "again a"), 2u);
  auto b = http_get(server.port(), "/poll?channel=b");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->body, record(1, "for b"));
  auto a = http_get(server.port(), "/poll?since=1&channel=a");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->body, record(2, "again a"));
  // Percent-encoded channel names decode before they are checked.
  auto enc = http_get(server.port(), "/poll?channel=%61");
  ASSERT_TRUE(enc);
  EXPECT_EQ(enc->body, record(1, "for a") + record(2, "again a"));
}

TEST(ShortPoll, BadSinceIs400WithAOneLineReason) {
  TestServer server;
  ASSERT_EQ(publish(server.port(), "default", "x"), 1u);
  BlockingClient c(server.port());
  for (const char* since : {"abc", "-1", "18446744073709551616", "", "1.5", "%31", "+1", "1%20"}) {
    auto r = c.request("GET", std::string("/poll?since=") + since);
    ASSERT_TRUE(r) << since;
    EXPECT_EQ(r->status, 400) << since;
    ASSERT_FALSE(r->body.empty());
    EXPECT_EQ(r->body.back(), '\n');
    EXPECT_EQ(r->body.find('\n'), r->body.size() - 1) << "one line: " << r->body;
    EXPECT_NE(r->body.find("since"), std::string::npos) << r->body;
    EXPECT_EQ(r->header("connection"), "");  // a bad parameter does not end the connection
  }
  // The largest id is a valid since.
  auto max = c.request("GET", "/poll?since=18446744073709551615");
  ASSERT_TRUE(max);
  EXPECT_EQ(max->status, 204);
}

TEST(ShortPoll, BadChannelIs400) {
  TestServer server;
  BlockingClient c(server.port());
  for (std::string channel : {std::string("a%20b"), std::string(""), std::string("%zz"), std::string("a/b"),
                              std::string(65, 'c'), std::string("caf%C3%A9")}) {
    auto r = c.request("GET", "/poll?channel=" + channel);
    ASSERT_TRUE(r) << channel;
    EXPECT_EQ(r->status, 400) << channel;
    EXPECT_EQ(r->body.find('\n'), r->body.size() - 1) << r->body;
    EXPECT_NE(r->body.find("channel"), std::string::npos) << r->body;
  }
  auto ok = c.request("GET", "/poll?channel=" + std::string(64, 'c'));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 204);
}

TEST(ShortPoll, SinceOlderThanHistoryReportsTheGap) {
  ServerConfig config = TestServer::default_config();
  config.hub.history = 4;
  TestServer server(config);
  for (int i = 1; i <= 10; ++i)
    ASSERT_EQ(publish(server.port(), "default", "m" + std::to_string(i)), std::uint64_t(i));
  auto r = http_get(server.port(), "/poll?since=0");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("x-rtb-gap"), "1-6");
  EXPECT_EQ(r->body, "event: gap\ndata: 1-6\n\n" + record(7, "m7") + record(8, "m8") + record(9, "m9") +
                         record(10, "m10"));
  auto part = http_get(server.port(), "/poll?since=5");
  ASSERT_TRUE(part);
  EXPECT_EQ(part->header("x-rtb-gap"), "6-6");
  EXPECT_EQ(part->body.substr(0, 22), "event: gap\ndata: 6-6\n\n");
  auto none = http_get(server.port(), "/poll?since=6");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->header("x-rtb-gap"), "");
  EXPECT_EQ(none->body, record(7, "m7") + record(8, "m8") + record(9, "m9") + record(10, "m10"));
}

TEST(ShortPoll, BatchIsCappedAndTheRestFollowsOnTheNextPoll) {
  ServerConfig config = TestServer::default_config();
  config.batch.max_events = 3;
  TestServer server(config);
  for (int i = 1; i <= 5; ++i)
    ASSERT_EQ(publish(server.port(), "default", std::to_string(i)), std::uint64_t(i));
  BlockingClient c(server.port());
  auto first = c.request("GET", "/poll?since=0");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->body, record(1, "1") + record(2, "2") + record(3, "3"));
  auto second = c.request("GET", "/poll?since=3");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->body, record(4, "4") + record(5, "5"));
}

TEST(ShortPoll, HeadHasTheHeadersButNoBody) {
  TestServer server;
  ASSERT_EQ(publish(server.port(), "default", "hello"), 1u);
  BlockingClient c(server.port());
  ASSERT_TRUE(c.send("HEAD /poll HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(c.read_until("\r\n\r\n"));
  std::string head = c.buffer();
  EXPECT_EQ(head.substr(0, 15), "HTTP/1.1 200 OK");
  EXPECT_NE(head.find("Content-Length: " + std::to_string(record(1, "hello").size()) + "\r\n"),
            std::string::npos);
  c.buffer().clear();
  // The next answer on the connection starts right away: the HEAD answer carried no body bytes.
  auto r = c.request("GET", "/poll");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, record(1, "hello"));
  EXPECT_EQ(r->head.substr(0, 15), "HTTP/1.1 200 OK");
}

}  // namespace
}  // namespace rtb::test
