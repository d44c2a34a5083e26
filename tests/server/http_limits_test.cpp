// The HTTP layer over loopback: routing errors, malformed requests, header limits, framing conflicts,
// keep-alive and close semantics (HTTP/1.1 and 1.0), pipelining, byte-at-a-time input, the header timeout,
// the idle timeout and the connection cap.
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "tests/server/server_test_util.hpp"

namespace rtb::test {
namespace {

// Sends raw bytes on a fresh connection and reads one response.
std::optional<HttpResponse> raw_request(BlockingClient& c, std::string_view bytes) {
  if (!c.send(bytes)) return std::nullopt;
  return c.read_response();
}

TEST(HttpServer, UnknownPathIs404AndKeepsTheConnection) {
  TestServer server;
  BlockingClient c(server.port());
  auto r = c.request("GET", "/nope");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->header("connection"), "");
  auto again = c.request("GET", "/poll");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 204);
}

TEST(HttpServer, WrongMethodIs405WithAllow) {
  TestServer server;
  BlockingClient c(server.port());
  auto r = c.request("POST", "/poll", "x");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->header("allow"), "GET, HEAD");
  auto d = c.request("DELETE", "/stats");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->status, 405);
  EXPECT_EQ(d->header("allow"), "GET, HEAD");
}

TEST(HttpServer, MalformedRequestLineIs400AndCloses) {
  TestServer server;
  for (std::string_view bad :
       {std::string_view("GARBAGE\r\n\r\n"), std::string_view("GET /poll HTTZ/1.1\r\n\r\n"),
        std::string_view("GET\r\n\r\n"), std::string_view("\x01\x02\x03\r\n\r\n")}) {
    BlockingClient c(server.port());
    auto r = raw_request(c, bad);
    ASSERT_TRUE(r) << bad;
    EXPECT_EQ(r->status, 400) << bad;
    EXPECT_EQ(r->header("connection"), "close");
    EXPECT_TRUE(c.wait_closed()) << bad;
  }
}

TEST(HttpServer, BytesAfterAParseErrorAreIgnored) {
  TestServer server;
  BlockingClient c(server.port());
  ASSERT_TRUE(c.send("BROKEN\r\n\r\nGET /poll HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_TRUE(c.wait_closed());
  EXPECT_EQ(c.buffer(), "");  // no second answer
}

TEST(HttpServer, OversizeHeadersAre431AndClose) {
  ServerConfig config = TestServer::default_config();
  config.http.max_header_bytes = 1024;
  TestServer server(config);
  BlockingClient fits(server.port());
  auto ok = fits.request("GET", "/poll", {}, "X-Fill: " + std::string(700, 'a') + "\r\n");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 204);

  BlockingClient c(server.port());
  auto r = c.request("GET", "/poll", {}, "X-Big: " + std::string(2000, 'a') + "\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_TRUE(c.wait_closed());

  // Many small headers add up to the same limit.
  std::string many;
  for (int i = 0; i < 40; ++i) many += "X-H" + std::to_string(i) + ": " + std::string(30, 'v') + "\r\n";
  BlockingClient c2(server.port());
  auto r2 = c2.request("GET", "/poll", {}, many);
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->status, 431);
  EXPECT_TRUE(c2.wait_closed());
}

TEST(HttpServer, TooManyHeadersAre431) {
  ServerConfig config = TestServer::default_config();
  config.http.max_headers = 8;
  TestServer server(config);
  std::string seven;  // plus Host: 8 headers, the limit
  for (int i = 0; i < 7; ++i) seven += "X-" + std::to_string(i) + ": v\r\n";
  BlockingClient ok(server.port());
  auto r_ok = ok.request("GET", "/poll", {}, seven);
  ASSERT_TRUE(r_ok);
  EXPECT_EQ(r_ok->status, 204);

  BlockingClient c(server.port());
  auto r = c.request("GET", "/poll", {}, seven + "X-Ninth: v\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  EXPECT_TRUE(c.wait_closed());
}

TEST(HttpServer, OversizeTargetIsRefusedAndCloses) {
  ServerConfig config = TestServer::default_config();
  config.http.max_header_bytes = 1024;
  TestServer server(config);
  BlockingClient c(server.port());
  auto r = c.request("GET", "/poll?pad=" + std::string(3000, 'p'));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 414);
  EXPECT_TRUE(c.wait_closed());
}

TEST(HttpServer, ContentLengthWithTransferEncodingIs400) {
  TestServer server;
  BlockingClient c(server.port());
  auto r = raw_request(c,
                       "POST /publish HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                       "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_TRUE(c.wait_closed());
  // Nothing was published by the smuggling attempt.
  auto poll = http_get(server.port(), "/poll");
  ASSERT_TRUE(poll);
  EXPECT_EQ(poll->status, 204);
}

TEST(HttpServer, KeepAliveServesManyRequestsOnOneConnection) {
  TestServer server;
  BlockingClient c(server.port());
  for (int i = 1; i <= 5; ++i) {
    auto p = c.request("POST", "/publish", "m" + std::to_string(i));
    ASSERT_TRUE(p);
    EXPECT_EQ(p->body, std::to_string(i));
    EXPECT_EQ(p->header("connection"), "");
  }
  auto poll = c.request("GET", "/poll?since=4");
  ASSERT_TRUE(poll);
  EXPECT_EQ(poll->body, record(5, "m5"));
  auto stats = get_stats(server.port());
  EXPECT_EQ(stats["connections.total"], "2");  // ours and the one get_stats opened
}

TEST(HttpServer, ConnectionCloseIsHonoured) {
  TestServer server;
  BlockingClient c(server.port());
  auto r = c.request("GET", "/poll", {}, "Connection: close\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_TRUE(c.wait_closed());
}

TEST(HttpServer, Http10WithoutKeepAliveClosesAfterTheAnswer) {
  TestServer server;
  ASSERT_EQ(publish(server.port(), "default", "x"), 1u);
  BlockingClient c(server.port());
  auto r = raw_request(c, "GET /poll HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, record(1, "x"));
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_TRUE(c.wait_closed());
}

TEST(HttpServer, Http10WithKeepAliveStaysOpen) {
  TestServer server;
  ASSERT_EQ(publish(server.port(), "default", "x"), 1u);
  BlockingClient c(server.port());
  for (int i = 0; i < 3; ++i) {
    auto r = raw_request(c, "GET /poll HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->header("connection"), "keep-alive");
    EXPECT_EQ(r->body, record(1, "x"));
  }
}

TEST(HttpServer, PipelinedRequestsAreAnsweredInOrder) {
  TestServer server;
  for (int i = 1; i <= 5; ++i)
    ASSERT_EQ(publish(server.port(), "default", "e" + std::to_string(i)), std::uint64_t(i));
  BlockingClient c(server.port());
  std::string burst;
  for (int since = 0; since < 5; ++since)
    burst += "GET /poll?since=" + std::to_string(since) + " HTTP/1.1\r\nHost: x\r\n\r\n";
  burst += "GET /poll?since=5 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  ASSERT_TRUE(c.send(burst));
  for (int since = 0; since < 5; ++since) {
    auto r = c.read_response();
    ASSERT_TRUE(r) << since;
    ASSERT_EQ(r->status, 200);
    std::string expected;
    for (int id = since + 1; id <= 5; ++id)
      expected += record(static_cast<std::uint64_t>(id), "e" + std::to_string(id));
    EXPECT_EQ(r->body, expected) << "answer " << since;
  }
  auto last = c.read_response();
  ASSERT_TRUE(last);
  EXPECT_EQ(last->status, 204);
  EXPECT_EQ(last->header("connection"), "close");
  EXPECT_TRUE(c.wait_closed());
}

TEST(HttpServer, PipelinedAnswersBeyondTheSendQueueBoundWaitInsteadOfClosing) {
  // Twenty pipelined polls whose answers (768 KiB each, 15 MiB in all) far exceed the 2 MiB send queue and
  // the kernel's socket buffers: answering them all in one go would overflow the queue and cost the client
  // every answer; the server must take the next request only as the client reads.
  ServerConfig config = TestServer::default_config();
  config.listen.connection_limits.max_queued_bytes = 2u << 20;
  config.listen.connection_limits.high_watermark = 256u << 10;
  TestServer server(config);
  std::string text(256u << 10, 'p');
  for (int i = 1; i <= 3; ++i) ASSERT_EQ(publish(server.port(), "big", text), std::uint64_t(i));
  BlockingClient c(server.port());
  std::string burst;
  for (int i = 0; i < 20; ++i) burst += "GET /poll?channel=big&since=0 HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_TRUE(c.send(burst));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the server reads the whole burst unread
  std::string expected = record(1, text) + record(2, text) + record(3, text);
  for (int i = 0; i < 20; ++i) {
    auto r = c.read_response();
    ASSERT_TRUE(r) << "answer " << i;
    ASSERT_EQ(r->status, 200) << "answer " << i;
    EXPECT_EQ(r->body, expected) << "answer " << i;
  }
}

TEST(HttpServer, PipelinedPublishesKeepTheirOrder) {
  TestServer server;
  BlockingClient c(server.port());
  std::string burst;
  for (int i = 1; i <= 20; ++i) {
    std::string body = "p" + std::to_string(i);
    burst += "POST /publish HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
             "\r\n\r\n" + body;
  }
  ASSERT_TRUE(c.send(burst));
  std::string expected;
  for (int i = 1; i <= 20; ++i) {
    auto r = c.read_response();
    ASSERT_TRUE(r) << i;
    EXPECT_EQ(r->body, std::to_string(i));
    expected += record(static_cast<std::uint64_t>(i), "p" + std::to_string(i));
  }
  auto poll = c.request("GET", "/poll");
  ASSERT_TRUE(poll);
  EXPECT_EQ(poll->body, expected);
}

TEST(HttpServer, RequestSentOneByteAtATimeWorks) {
  TestServer server;
  BlockingClient c(server.port());
  const std::string request =
      "POST /publish?channel=slow HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nslow";
  for (char ch : request) {
    ASSERT_TRUE(c.send(std::string_view(&ch, 1)));
    // Pacing, not a threshold: gives the server a chance to read each byte on its own.
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  auto r = c.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "1");
  auto poll = c.request("GET", "/poll?channel=slow");
  ASSERT_TRUE(poll);
  EXPECT_EQ(poll->body, record(1, "slow"));
}

TEST(HttpServer, HalfSentRequestGets408AfterTheHeaderTimeout) {
  ServerConfig config = TestServer::default_config();
  config.http.header_timeout_ms = 300;
  TestServer server(config);
  BlockingClient c(server.port());
  ASSERT_TRUE(c.send("GET /poll HTTP/1.1\r\nHost: x\r\n"));
  auto r = c.read_response(std::chrono::seconds(10));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 408);
  EXPECT_EQ(r->header("connection"), "close");
  EXPECT_TRUE(c.wait_closed());
  auto stats = get_stats(server.port());
  EXPECT_EQ(stats["http.header_timeouts"], "1");
}

TEST(HttpServer, SilentConnectionIsClosedWithoutAnAnswer) {
  ServerConfig config = TestServer::default_config();
  config.http.header_timeout_ms = 300;
  TestServer server(config);
  BlockingClient c(server.port());
  EXPECT_TRUE(c.wait_closed(std::chrono::seconds(10)));
  EXPECT_EQ(c.buffer(), "");
}

TEST(HttpServer, IdleKeepAliveConnectionIsClosedAfterItsTimeout) {
  ServerConfig config = TestServer::default_config();
  config.http.keep_alive_timeout_ms = 300;
  TestServer server(config);
  BlockingClient c(server.port());
  auto r = c.request("GET", "/poll");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_TRUE(c.wait_closed(std::chrono::seconds(10)));
  EXPECT_EQ(c.buffer(), "");
}

TEST(HttpServer, RequestFollowedByHalfCloseIsStillAnswered) {
  // A client may send its request and shut down its sending side at once (HTTP/1.0 tools, `nc -N`).
  TestServer server;
  ASSERT_EQ(publish(server.port(), "default", "x"), 1u);
  for (std::string_view request :
       {std::string_view("GET /poll HTTP/1.1\r\nHost: x\r\n\r\n"),
        std::string_view("GET /poll HTTP/1.0\r\n\r\n"),
        std::string_view("GET /poll HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")}) {
    BlockingClient c(server.port());
    ASSERT_TRUE(c.send(request));
    ::shutdown(c.fd(), SHUT_WR);
    auto r = c.read_response();
    ASSERT_TRUE(r) << request;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, record(1, "x"));
    EXPECT_TRUE(c.wait_closed());
  }
}

TEST(HttpServer, LargeAnswerToAHalfClosedClientIsDeliveredWhole) {
  // The answer is larger than the socket buffers, so part of it is still queued when the server reads the
  // client's FIN: the queued part must still be sent.
  ServerConfig config = TestServer::default_config();
  config.listen.connection_limits.max_queued_bytes = 64 << 20;
  TestServer server(config);
  BlockingClient publisher(server.port());
  const std::string text(64000, 'q');
  std::string expected;
  // About 25 MB: more than the loopback socket buffers of both ends hold, less than the send-queue bound.
  for (int i = 1; i <= 400; ++i) {
    auto p = publisher.request("POST", "/publish", text);
    ASSERT_TRUE(p);
    ASSERT_EQ(p->status, 200);
    expected += record(static_cast<std::uint64_t>(i), text);
  }
  for (std::string_view request : {std::string_view("GET /poll HTTP/1.1\r\nHost: x\r\n\r\n"),
                                   std::string_view("GET /poll HTTP/1.0\r\n\r\n")}) {
    BlockingClient c(server.port());
    ASSERT_TRUE(c.send(request));
    ::shutdown(c.fd(), SHUT_WR);
    // Not reading yet lets the server's queue fill up before its EOF arrives.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto r = c.read_response(std::chrono::seconds(20));
    ASSERT_TRUE(r) << request << " got " << c.buffer().size() << " bytes";
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body.size(), expected.size());
    EXPECT_TRUE(r->body == expected);
    EXPECT_TRUE(c.wait_closed());
  }
}

TEST(HttpServer, AnswerLargerThanTheSendQueueBoundClosesInsteadOfHanging) {
  // A batch that cannot be queued at all must not leave the client waiting for an answer that never comes.
  ServerConfig config = TestServer::default_config();
  config.listen.connection_limits.max_queued_bytes = 64 * 1024;
  TestServer server(config);
  for (int i = 1; i <= 20; ++i)
    ASSERT_EQ(publish(server.port(), "default", std::string(8000, 'w')), std::uint64_t(i));
  BlockingClient c(server.port());
  ASSERT_TRUE(c.send("GET /poll?since=0 HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_TRUE(c.wait_closed());
  EXPECT_EQ(c.buffer(), "");
  // A batch that fits is still answered.
  auto small = http_get(server.port(), "/poll?since=19");
  ASSERT_TRUE(small);
  EXPECT_EQ(small->body, record(20, std::string(8000, 'w')));
}

TEST(HttpServer, ConnectionsBeyondTheCapGet503AndAreClosed) {
  ServerConfig config = TestServer::default_config();
  config.listen.max_connections = 2;
  TestServer server(config);
  BlockingClient a(server.port()), b(server.port());
  // Both are accepted (and answered) before the third connects.
  ASSERT_TRUE(a.request("POST", "/publish", "from a"));
  ASSERT_TRUE(b.request("GET", "/poll"));
  BlockingClient c(server.port());
  auto refused = c.request("GET", "/poll");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(refused->header("connection"), "close");
  EXPECT_EQ(refused->header("retry-after"), "1");
  EXPECT_TRUE(c.wait_closed());
  // An EventSource must never see a non-200 status (browsers stop reconnecting): it is closed unanswered.
  BlockingClient s(server.port());
  ASSERT_TRUE(s.send("GET /sse?channel=x HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n"));
  EXPECT_TRUE(s.wait_closed());
  EXPECT_EQ(s.buffer(), "");
  // The first two keep working.
  auto ra = a.request("POST", "/publish", "again a");
  ASSERT_TRUE(ra);
  EXPECT_EQ(ra->body, "2");
  auto rb = b.request("GET", "/poll");
  ASSERT_TRUE(rb);
  EXPECT_EQ(rb->body, record(1, "from a") + record(2, "again a"));
  // Once one leaves, there is room again (the stats request itself is the second connection).
  a.close();
  b.close();
  std::map<std::string, std::string> stats;
  int refused_while_waiting = 0;
  for (int attempt = 0; attempt < 50 && stats.empty(); ++attempt) {
    auto r = http_get(server.port(), "/stats");
    if (r && r->status == 200) {
      stats = JsonFlattener::parse(r->body).value_or(stats);
    } else {
      ++refused_while_waiting;  // the server sees the closes asynchronously
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  ASSERT_FALSE(stats.empty());
  EXPECT_EQ(stats["connections.refused"], std::to_string(2 + refused_while_waiting));
}

}  // namespace
}  // namespace rtb::test
