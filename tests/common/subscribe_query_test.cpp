// parse_subscribe_query: the `channel` and `since` validation every transport shares.
#include "transports/common/subscribe_query.hpp"

#include <gtest/gtest.h>

#include <string>

namespace rtb::test {
namespace {

HttpRequest request(std::string_view target, std::string_view last_event_id = {}) {
  HttpRequest r;
  r.append_target(target);
  if (!last_event_id.empty()) {
    r.append_header_name("Last-Event-ID");
    r.append_header_value(last_event_id);
  }
  return r;
}

TEST(SubscribeQuery, DefaultsToChannelDefaultSinceZero) {
  SubscribeQuery q = parse_subscribe_query(request("/poll"));
  EXPECT_EQ(q.error, "");
  EXPECT_EQ(q.channel, "default");
  EXPECT_EQ(q.since, 0u);
  EXPECT_FALSE(q.has_since);
}

TEST(SubscribeQuery, ReadsChannelAndSince) {
  SubscribeQuery q = parse_subscribe_query(request("/poll?since=42&channel=news.eu-1_x"));
  EXPECT_EQ(q.error, "");
  EXPECT_EQ(q.channel, "news.eu-1_x");
  EXPECT_EQ(q.since, 42u);
  EXPECT_TRUE(q.has_since);
}

TEST(SubscribeQuery, ChannelIsPercentDecodedThenValidated) {
  EXPECT_EQ(parse_subscribe_query(request("/poll?channel=a%2Db")).channel, "a-b");
  EXPECT_NE(parse_subscribe_query(request("/poll?channel=a%20b")).error, "");
  EXPECT_NE(parse_subscribe_query(request("/poll?channel=a+b")).error, "");  // '+' is a space
  EXPECT_NE(parse_subscribe_query(request("/poll?channel=%zz")).error, "");
  EXPECT_NE(parse_subscribe_query(request("/poll?channel=")).error, "");
  EXPECT_NE(parse_subscribe_query(request("/poll?channel")).error, "");
  EXPECT_NE(parse_subscribe_query(request("/poll?channel=" + std::string(65, 'x'))).error, "");
}

TEST(SubscribeQuery, SinceMustBeAPlainDecimal) {
  for (const char* bad : {"abc", "-1", "", "18446744073709551616", "1.0", " 1", "%31"}) {
    SubscribeQuery q = parse_subscribe_query(request(std::string("/poll?since=") + bad));
    EXPECT_NE(q.error, "") << bad;
    EXPECT_EQ(q.error.find('\n'), std::string::npos) << "one line, the server adds the newline";
  }
  EXPECT_EQ(parse_subscribe_query(request("/poll?since=18446744073709551615")).since, UINT64_MAX);
}

TEST(SubscribeQuery, LastEventIdOnlyWhenAskedAndTheQueryWins) {
  EXPECT_FALSE(parse_subscribe_query(request("/sse", "17")).has_since);
  SubscribeQuery header = parse_subscribe_query(request("/sse", "17"), true);
  EXPECT_TRUE(header.has_since);
  EXPECT_EQ(header.since, 17u);
  SubscribeQuery both = parse_subscribe_query(request("/sse?since=3", "17"), true);
  EXPECT_EQ(both.since, 3u);
  // A Last-Event-ID that is not one of our ids starts from the beginning instead of failing.
  SubscribeQuery foreign = parse_subscribe_query(request("/sse", "abc-123"), true);
  EXPECT_EQ(foreign.error, "");
  EXPECT_FALSE(foreign.has_since);
  EXPECT_EQ(foreign.since, 0u);
}

}  // namespace
}  // namespace rtb::test
