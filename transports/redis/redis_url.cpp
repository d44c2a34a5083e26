#include "transports/redis/redis_url.hpp"

#include <fmt/format.h>

#include <charconv>

namespace rtb {

namespace {

bool valid_prefix(std::string_view prefix) {
  if (prefix.empty() || prefix.size() > 64) return false;
  for (char c : prefix) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::optional<RedisUrl> parse_redis_url(std::string_view url, std::string* why) {
  constexpr std::string_view kScheme = "redis://";
  const auto fail = [&](std::string reason) -> std::optional<RedisUrl> {
    *why = fmt::format(
        "--broker {}: {} (expected redis://HOST[:PORT][/PREFIX], e.g. redis://127.0.0.1:6379/rtb)", url,
        reason);
    return std::nullopt;
  };
  if (url.substr(0, kScheme.size()) != kScheme) return fail("not a redis:// URL");
  std::string_view rest = url.substr(kScheme.size());
  RedisUrl out;
  const std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    const std::string_view prefix = rest.substr(slash + 1);
    if (!prefix.empty()) {
      if (!valid_prefix(prefix)) return fail("the prefix must be 1-64 of A-Z a-z 0-9 . _ -");
      out.prefix = std::string(prefix);
    }
  }
  if (authority.find('@') != std::string_view::npos)
    return fail("user names and passwords are not supported");
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return fail("an IPv6 address needs its closing ']'");
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail("expected ':PORT' after the IPv6 address");
      port_text = after.substr(1);
    }
  } else {
    const std::size_t colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (out.host.empty()) return fail("no host");
  if (!port_text.empty() || authority.find(':') != std::string_view::npos) {
    int port = 0;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 1 || port > 65535)
      return fail("the port must be 1-65535");
    out.port = port;
  }
  return out;
}

std::string to_string(const RedisUrl& url) {
  const bool v6 = url.host.find(':') != std::string::npos;
  return fmt::format("redis://{}{}{}:{}/{}", v6 ? "[" : "", url.host, v6 ? "]" : "", url.port, url.prefix);
}

}  // namespace rtb
