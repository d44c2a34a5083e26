#include "transports/redis/redis_scripts.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

namespace rtb {

namespace {

std::string sha1_hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha1(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

RedisScript make(std::string_view text) {
  return RedisScript{text, sha1_hex(text)};
}

}  // namespace

const RedisScript& redis_publish_script() {
  static const RedisScript script = make(R"lua(
local id = redis.call('INCR', KEYS[1])
local floor = tonumber(ARGV[3])
if id <= floor then
  id = floor + 1
  redis.call('SET', KEYS[1], id)
end
redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[2], string.format('%d-0', id), 'd', ARGV[1])
redis.call('PUBLISH', KEYS[3], string.format('%d ', id) .. ARGV[1])
return id
)lua");
  return script;
}

const RedisScript& redis_read_script() {
  static const RedisScript script = make(R"lua(
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
return {last, redis.call('XRANGE', KEYS[2], ARGV[1] .. '-0', '+', 'COUNT', ARGV[2])}
)lua");
  return script;
}

const RedisScript& redis_seed_script() {
  static const RedisScript script = make(R"lua(
local now = tonumber(redis.call('GET', KEYS[1]) or '0')
if now < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end
return now
)lua");
  return script;
}

}  // namespace rtb
