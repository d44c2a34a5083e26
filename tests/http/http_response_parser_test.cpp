#include "transports/http/http_response_parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace rtb {
namespace {

class Recorder final : public HttpResponseEvents {
 public:
  std::vector<int> heads;
  std::string body;
  std::vector<int> completes;
  void on_response_head(const HttpResponseHead& head) override { heads.push_back(head.status); }
  void on_response_body(std::string_view bytes) override { body.append(bytes); }
  void on_response_complete(const HttpResponseHead& head) override {
    completes.push_back(head.status);
    if (parser != nullptr) body_sizes.push_back(parser->body_bytes());
  }
  const HttpResponseParser* parser = nullptr;
  std::vector<std::uint64_t> body_sizes;  // body_bytes() as each response completed
};

std::size_t feed(HttpResponseParser& p, std::string_view bytes) {
  return p.feed(bytes.data(), bytes.size());
}

TEST(HttpResponseParser, CountsHeadAndBodyBytesOfEachResponse) {
  Recorder r;
  HttpResponseParser p(r);
  r.parser = &p;
  const std::string first = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhello";
  const std::string second = "HTTP/1.1 204 No Content\r\n\r\n";
  EXPECT_EQ(feed(p, first + second), first.size() + second.size());
  EXPECT_FALSE(p.failed());
  EXPECT_EQ(r.heads, (std::vector<int>{200, 204}));
  EXPECT_EQ(r.completes, (std::vector<int>{200, 204}));
  EXPECT_EQ(r.body, "hello");
  EXPECT_EQ(r.body_sizes, (std::vector<std::uint64_t>{5, 0}));
  EXPECT_EQ(p.total_head_bytes(), first.size() - 5 + second.size());
  EXPECT_EQ(p.total_body_bytes(), 5u);
}

TEST(HttpResponseParser, ChunkFramingCountsAsHeadBytesAcrossSplitReads) {
  Recorder r;
  HttpResponseParser p(r);
  const std::string bytes =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
  for (char c : bytes) ASSERT_EQ(p.feed(&c, 1), 1u);
  EXPECT_EQ(r.body, "abcde");
  EXPECT_EQ(r.completes.size(), 1u);
  EXPECT_EQ(p.total_body_bytes(), 5u);
  EXPECT_EQ(p.total_head_bytes(), bytes.size() - 5);
}

TEST(HttpResponseParser, HeadResponseHasNoBodyWhateverItsLength) {
  Recorder r;
  HttpResponseParser p(r);
  p.expect_head_response();
  EXPECT_EQ(feed(p, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"), 67u);
  EXPECT_EQ(r.completes, (std::vector<int>{200, 204}));
  EXPECT_TRUE(r.body.empty());
}

TEST(HttpResponseParser, UpgradeStopsAtTheEndOfTheHead) {
  Recorder r;
  HttpResponseParser p(r);
  const std::string head =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
  EXPECT_EQ(feed(p, head + "\x81\x02hi"), head.size());
  EXPECT_TRUE(p.upgraded());
  EXPECT_FALSE(p.failed());
  EXPECT_EQ(r.heads, (std::vector<int>{101}));
}

TEST(HttpResponseParser, HeadersKeptOnlyWhenAsked) {
  struct Heads final : HttpResponseEvents {
    std::string server;
    std::size_t count = 0;
    void on_response_head(const HttpResponseHead& head) override {
      server = std::string(head.header("server"));
      count = head.headers.size();
    }
    void on_response_body(std::string_view) override {}
    void on_response_complete(const HttpResponseHead&) override {}
  } h;
  HttpResponseParser p(h);
  feed(p, "HTTP/1.1 204 No Content\r\nServer: x\r\n\r\n");
  EXPECT_EQ(h.server, "x");
  p.set_keep_headers(false);
  feed(p, "HTTP/1.1 204 No Content\r\nServer: y\r\n\r\n");
  EXPECT_EQ(h.count, 0u);
}

TEST(HttpResponseParser, MalformedOrStatuslessResponsesFail) {
  for (std::string_view bad :
       {std::string_view("HTTP/1.1 \r\n\r\n"), std::string_view("HTTP/1.1 2 OK\r\n\r\n"),
        std::string_view("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n"),
        std::string_view("GARBAGE\r\n\r\n")}) {
    Recorder r;
    HttpResponseParser p(r);
    feed(p, bad);
    EXPECT_TRUE(p.failed()) << bad;
    EXPECT_FALSE(p.error().empty()) << bad;
    EXPECT_TRUE(r.completes.empty()) << bad;
    // A failed parser takes nothing more.
    EXPECT_EQ(feed(p, "HTTP/1.1 204 No Content\r\n\r\n"), 0u) << bad;
  }
}

TEST(HttpResponseParser, ResponseDelimitedByCloseCompletesAtFinish) {
  Recorder r;
  HttpResponseParser p(r);
  feed(p, "HTTP/1.0 200 OK\r\n\r\npartial body");
  EXPECT_TRUE(r.completes.empty());
  p.finish();
  EXPECT_EQ(r.completes, (std::vector<int>{200}));
  EXPECT_EQ(r.body, "partial body");
}

}  // namespace
}  // namespace rtb
