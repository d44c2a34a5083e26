// A blocking check, at start, that Redis answers: a server refuses to start on a broker it cannot reach
// instead of serving 503s from its first request.
#pragma once

#include <chrono>
#include <string>

#include "transports/redis/redis_url.hpp"

namespace rtb {

// Empty when Redis at `url` answers PING within `timeout`; else one line saying what failed.
std::string probe_redis(const RedisUrl& url, std::chrono::milliseconds timeout);

}  // namespace rtb
