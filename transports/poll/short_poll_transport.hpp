// ShortPollTransport: `GET /poll?channel=C&since=N` answers at once with what history holds after N.
#pragma once

#include <string>

#include "transports/common/batch_limits.hpp"
#include "transports/common/transport.hpp"
#include "transports/pubsub/hub.hpp"

namespace rtb {

class ShortPollTransport final : public Transport {
 public:
  ShortPollTransport(Hub& hub, BatchLimits batch) : hub_(hub), batch_(batch) {}
  std::string_view name() const override { return "poll"; }
  void add_routes(Router& router) override;
  const TransportStats& stats() const override { return stats_; }

 private:
  void handle(HttpConnection& connection, const HttpRequest& request);

  Hub& hub_;
  BatchLimits batch_;
  TransportStats stats_;
  std::string scratch_;
};

}  // namespace rtb
