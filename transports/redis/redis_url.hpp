// RedisUrl: where the Redis broker is and which key prefix it uses, from `--broker
// redis://HOST[:PORT][/PREFIX]`.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace rtb {

struct RedisUrl {
  std::string host;
  int port = 6379;
  // Every key and pub/sub channel starts with "PREFIX:", so several rtbench servers can share one Redis.
  std::string prefix = "rtb";
};

// nullopt with a one-line reason in *why when `url` is not a redis:// URL we can use. The host may be a name,
// an IPv4 address or an IPv6 address in brackets; the prefix is 1-64 of [A-Za-z0-9._-].
std::optional<RedisUrl> parse_redis_url(std::string_view url, std::string* why);
// "redis://HOST:PORT/PREFIX" (IPv6 in brackets), for logs, /stats and results metadata.
std::string to_string(const RedisUrl& url);

}  // namespace rtb
