#include "transports/redis/redis_probe.hpp"

#include <fmt/format.h>
#include <hiredis/hiredis.h>

#include <memory>

namespace rtb {

std::string probe_redis(const RedisUrl& url, std::chrono::milliseconds timeout) {
  const auto ms = timeout.count();
  const timeval tv{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
  std::unique_ptr<redisContext, void (*)(redisContext*)> c(
      redisConnectWithTimeout(url.host.c_str(), url.port, tv), redisFree);
  const std::string where = to_string(url);
  if (c == nullptr) return fmt::format("cannot reach Redis at {}: out of memory", where);
  if (c->err != 0) {
    return fmt::format("cannot reach Redis at {}: {} (start redis-server there, or fix --broker)", where,
                       c->errstr);
  }
  redisSetTimeout(c.get(), tv);
  std::unique_ptr<redisReply, void (*)(redisReply*)> reply(
      static_cast<redisReply*>(redisCommand(c.get(), "PING")), [](redisReply* r) { freeReplyObject(r); });
  if (reply == nullptr) {
    return fmt::format("Redis at {} did not answer PING within {} ms: {}", where, ms,
                       c->errstr[0] != '\0' ? c->errstr : "no reply");
  }
  if (reply->type == REDIS_REPLY_ERROR) return fmt::format("Redis at {} refused PING: {}", where, reply->str);
  return {};
}

}  // namespace rtb
