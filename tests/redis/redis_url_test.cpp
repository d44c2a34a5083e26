#include "transports/redis/redis_url.hpp"

#include <gtest/gtest.h>

namespace rtb {
namespace {

TEST(RedisUrl, ReadsHostPortAndPrefixWithDefaults) {
  std::string why;
  auto u = parse_redis_url("redis://127.0.0.1:6400/bench", &why);
  ASSERT_TRUE(u) << why;
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 6400);
  EXPECT_EQ(u->prefix, "bench");
  auto d = parse_redis_url("redis://localhost", &why);
  ASSERT_TRUE(d) << why;
  EXPECT_EQ(d->port, 6379);
  EXPECT_EQ(d->prefix, "rtb");
  auto v6 = parse_redis_url("redis://[::1]:7000/", &why);
  ASSERT_TRUE(v6) << why;
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 7000);
  EXPECT_EQ(to_string(*v6), "redis://[::1]:7000/rtb");
  EXPECT_EQ(to_string(*u), "redis://127.0.0.1:6400/bench");
}

TEST(RedisUrl, RefusesWhatItCannotUseSayingWhatToFix) {
  const std::pair<const char*, const char*> bad[] = {
      {"http://127.0.0.1:6379", "not a redis:// URL"},
      {"redis://", "no host"},
      {"redis://:6379", "no host"},
      {"redis://h:0", "the port must be 1-65535"},
      {"redis://h:65536", "the port must be 1-65535"},
      {"redis://h:12x", "the port must be 1-65535"},
      {"redis://h:", "the port must be 1-65535"},
      {"redis://[::1", "closing ']'"},
      {"redis://u:p@h:1", "passwords are not supported"},
      {"redis://h/a:b", "the prefix must be"},
  };
  for (const auto& [url, reason] : bad) {
    std::string why;
    EXPECT_FALSE(parse_redis_url(url, &why)) << url;
    EXPECT_NE(why.find(reason), std::string::npos) << url << ": " << why;
    EXPECT_NE(why.find("expected redis://HOST[:PORT][/PREFIX]"), std::string::npos) << why;
  }
}

}  // namespace
}  // namespace rtb
