// HttpRequest's view of the request target: origin form, and the absolute form a server must accept too
// (RFC 9112 3.2.2).
#include "transports/http/http_request.hpp"

#include <gtest/gtest.h>

#include <string>

namespace rtb {
namespace {

HttpRequest request_for(const std::string& target) {
  HttpRequest r;
  r.append_target(target);
  return r;
}

TEST(HttpRequestTarget, OriginFormSplitsPathAndQuery) {
  const HttpRequest r = request_for("/poll?channel=a&since=3");
  EXPECT_EQ(r.path(), "/poll");
  EXPECT_EQ(r.query(), "channel=a&since=3");
  EXPECT_EQ(request_for("/sse").query(), "");
}

TEST(HttpRequestTarget, AbsoluteFormIsReadAsTheOriginFormAfterTheAuthority) {
  const HttpRequest r = request_for("http://127.0.0.1:8080/poll?since=3");
  EXPECT_EQ(r.path(), "/poll");
  EXPECT_EQ(r.query(), "since=3");
  EXPECT_EQ(r.target(), "http://127.0.0.1:8080/poll?since=3");   // kept as sent
  EXPECT_EQ(request_for("HTTPS://[::1]:443/ws").path(), "/ws");  // the scheme is case-insensitive
  EXPECT_EQ(request_for("http://example.test").path(), "/");     // no path: the root
  const HttpRequest bare_query = request_for("http://example.test?since=1");
  EXPECT_EQ(bare_query.path(), "/");
  EXPECT_EQ(bare_query.query(), "since=1");
}

TEST(HttpRequestTarget, OtherFormsAreLeftAsTheyAre) {
  EXPECT_EQ(request_for("ftp://example.test/poll").path(), "ftp://example.test/poll");  // not ours: 404
  EXPECT_EQ(request_for("*").path(), "*");                                              // OPTIONS *
  EXPECT_EQ(request_for("example.test:443").path(), "example.test:443");                // CONNECT
}

}  // namespace
}  // namespace rtb
