// SubscribeQuery: the `channel` and `since` parameters every subscribing transport takes, validated once.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "transports/http/http_request.hpp"

namespace rtb {

struct SubscribeQuery {
  std::string channel = "default";
  std::uint64_t since = 0;
  bool has_since = false;
  std::string error;  // one line for a 400 answer; empty when valid
};

// `since` comes from the query or, for SSE resume, from a Last-Event-ID header (the query wins).
SubscribeQuery parse_subscribe_query(const HttpRequest& request, bool accept_last_event_id = false);

}  // namespace rtb
