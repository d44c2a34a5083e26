// ShortPollTransport: `GET /poll?channel=C&since=N` answers at once with what history holds after N.
#pragma once

#include <string>

#include "transports/common/transport.hpp"
#include "transports/pubsub/hub.hpp"

namespace rtb {

struct PollConfig {
  std::uint64_t max_batch_events = 1000;  // one answer carries at most this many events
};

class ShortPollTransport final : public Transport {
 public:
  ShortPollTransport(Hub& hub, PollConfig config) : hub_(hub), config_(config) {}
  std::string_view name() const override { return "poll"; }
  void add_routes(Router& router) override;
  const TransportStats& stats() const override { return stats_; }

 private:
  void handle(HttpConnection& connection, const HttpRequest& request);

  Hub& hub_;
  PollConfig config_;
  TransportStats stats_;
  std::string scratch_;
};

}  // namespace rtb
