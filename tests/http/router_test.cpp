// Router: exact-path matching and the 404/405 decisions, with the Allow header a 405 carries.
#include "transports/http/router.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace rtb::test {
namespace {

Router make_router(std::string* called) {
  Router router;
  router.add("/poll", {HttpMethod::kGet, HttpMethod::kHead},
             [called](HttpConnection&, const HttpRequest&) { *called = "poll"; });
  router.add("/publish", {HttpMethod::kPost},
             [called](HttpConnection&, const HttpRequest&) { *called = "publish"; });
  return router;
}

TEST(Router, FindsTheRouteForAnAllowedMethod) {
  std::string called;
  Router router = make_router(&called);
  Router::Match m = router.match(HttpMethod::kGet, "/poll");
  ASSERT_EQ(m.outcome, Router::Outcome::kFound);
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->path, "/poll");
  EXPECT_EQ(router.match(HttpMethod::kHead, "/poll").outcome, Router::Outcome::kFound);
  Router::Match p = router.match(HttpMethod::kPost, "/publish");
  ASSERT_EQ(p.outcome, Router::Outcome::kFound);
  EXPECT_EQ(p.route->path, "/publish");
}

TEST(Router, UnknownPathIsNotFound) {
  std::string called;
  Router router = make_router(&called);
  EXPECT_EQ(router.match(HttpMethod::kGet, "/nope").outcome, Router::Outcome::kNotFound);
  EXPECT_EQ(router.match(HttpMethod::kGet, "/nope").route, nullptr);
  // Matching is exact: no prefix, no trailing slash, case-sensitive.
  EXPECT_EQ(router.match(HttpMethod::kGet, "/poll/").outcome, Router::Outcome::kNotFound);
  EXPECT_EQ(router.match(HttpMethod::kGet, "/pol").outcome, Router::Outcome::kNotFound);
  EXPECT_EQ(router.match(HttpMethod::kGet, "/POLL").outcome, Router::Outcome::kNotFound);
  EXPECT_EQ(router.match(HttpMethod::kGet, "").outcome, Router::Outcome::kNotFound);
}

TEST(Router, WrongMethodIsMethodNotAllowedWithAllowHeader) {
  std::string called;
  Router router = make_router(&called);
  Router::Match m = router.match(HttpMethod::kPost, "/poll");
  ASSERT_EQ(m.outcome, Router::Outcome::kMethodNotAllowed);
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->allow_header, "Allow: GET, HEAD\r\n");

  Router::Match p = router.match(HttpMethod::kGet, "/publish");
  ASSERT_EQ(p.outcome, Router::Outcome::kMethodNotAllowed);
  EXPECT_EQ(p.route->allow_header, "Allow: POST\r\n");
  EXPECT_EQ(router.match(HttpMethod::kOther, "/publish").outcome, Router::Outcome::kMethodNotAllowed);
  EXPECT_EQ(router.match(HttpMethod::kDelete, "/poll").outcome, Router::Outcome::kMethodNotAllowed);
}

TEST(HttpRequest, PathAndQuerySplitAtTheFirstQuestionMark) {
  HttpRequest r;
  r.append_target("/poll?channel=a&since=3?x");
  EXPECT_EQ(r.path(), "/poll");
  EXPECT_EQ(r.query(), "channel=a&since=3?x");
  HttpRequest plain;
  plain.append_target("/stats");
  EXPECT_EQ(plain.path(), "/stats");
  EXPECT_EQ(plain.query(), "");
}

TEST(HttpRequest, PiecesArrivingSeparatelyAreJoined) {
  // llhttp may hand one token over in several callbacks.
  HttpRequest r;
  r.append_target("/po");
  r.append_target("ll?since=1");
  r.append_header_name("Ho");
  r.append_header_name("st");
  r.append_header_value("127.0");
  r.append_header_value(".0.1");
  r.append_header_name("X-A");
  r.append_header_value("1");
  EXPECT_EQ(r.target(), "/poll?since=1");
  ASSERT_EQ(r.header_count(), 2u);
  EXPECT_EQ(r.header_name(0), "Host");
  EXPECT_EQ(r.header_value(0), "127.0.0.1");
  EXPECT_EQ(r.header("host"), std::optional<std::string_view>("127.0.0.1"));
  EXPECT_EQ(r.header("X-a"), std::optional<std::string_view>("1"));
  EXPECT_FALSE(r.header("missing").has_value());
  r.clear();
  EXPECT_EQ(r.header_count(), 0u);
  EXPECT_EQ(r.target(), "");
  EXPECT_EQ(r.head_bytes(), 0u);
}

}  // namespace
}  // namespace rtb::test
