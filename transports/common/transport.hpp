// Transport: the seam every push technique plugs into; the server hosts a list of them on one loop.
#pragma once

#include <cstdint>
#include <string_view>

#include "transports/http/router.hpp"

namespace rtb {

struct TransportStats {
  std::uint64_t requests = 0;       // HTTP requests or WebSocket upgrades served
  std::uint64_t sessions_open = 0;  // parked long polls, open SSE streams, open WebSockets
  std::uint64_t sessions_total = 0;
  std::uint64_t events_sent = 0;      // events written to clients (a batch of 5 counts 5)
  std::uint64_t empty_responses = 0;  // 204s: polls that found nothing, long polls that timed out
  std::uint64_t dropped_slow = 0;     // sessions closed because their send queue hit its bound
  std::uint64_t dropped_silent = 0;   // sessions closed because the peer answered no keepalive in time
  std::uint64_t protocol_errors = 0;
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual std::string_view name() const = 0;
  virtual void add_routes(Router& router) = 0;
  virtual const TransportStats& stats() const = 0;
  // Graceful shutdown: end long-lived sessions politely (204, stream end, close 1001).
  virtual void shutdown() {}
};

}  // namespace rtb
