// The Lua scripts the Redis broker runs, each atomic in Redis, with their SHA1 for EVALSHA.
#pragma once

#include <string>
#include <string_view>

namespace rtb {

struct RedisScript {
  std::string_view text;
  std::string sha1;  // hex
};

// KEYS: id counter, stream, pub/sub channel. ARGV: text, stream cap, floor (the newest id the caller has
// seen). Assigns max(INCR, floor + 1), appends "<id>-0" {d: text} to the capped stream, publishes
// "<id> <text>"; returns the id.
const RedisScript& redis_publish_script();
// KEYS: id counter, stream. ARGV: first id wanted, count. Returns {newest id, XRANGE entries from it}.
const RedisScript& redis_read_script();
// KEYS: id counter. ARGV: an id. Raises the counter to it if lower (after a Redis restart); returns the old.
const RedisScript& redis_seed_script();

}  // namespace rtb
