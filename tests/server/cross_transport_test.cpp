// One event published over POST reaches a long-poller, an SSE subscriber and a short-poller with the same id
// and the same record bytes.
#include <gtest/gtest.h>

#include <string>

#include "tests/server/push_test_util.hpp"

namespace rtb::test {
namespace {

TEST(CrossTransport, OnePublishReachesEveryHttpTransportAlike) {
  TestServer server;
  BlockingClient longpoller(server.port());
  ASSERT_TRUE(
      longpoller.send("GET /longpoll?channel=x&since=0&timeout=60000 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  BlockingClient stream(server.port());
  ASSERT_TRUE(open_stream(stream, "/sse?channel=x"));
  ASSERT_TRUE(wait_for_stat(server.port(), "transports.longpoll.sessions_open", 1));
  ASSERT_TRUE(wait_for_stat(server.port(), "transports.sse.sessions_open", 1));
  ASSERT_TRUE(stream.read_until("id: 0\n\n"));
  stream.buffer().clear();

  const std::string text = "caf\xC3\xA9 at 12:00";
  ASSERT_EQ(publish(server.port(), "x", text), 1u);
  const std::string expected = record(1, text);

  auto long_answer = longpoller.read_response();
  ASSERT_TRUE(long_answer);
  EXPECT_EQ(long_answer->status, 200);
  EXPECT_EQ(long_answer->body, expected);
  ASSERT_TRUE(stream.read_until(expected));
  EXPECT_EQ(stream.buffer(), expected);
  auto short_answer = http_get(server.port(), "/poll?channel=x&since=0");
  ASSERT_TRUE(short_answer);
  EXPECT_EQ(short_answer->status, 200);
  EXPECT_EQ(short_answer->body, expected);
  EXPECT_EQ(stat_value(server.port(), "events.deliveries"), 2u);  // the parked poll and the stream
}

}  // namespace
}  // namespace rtb::test
