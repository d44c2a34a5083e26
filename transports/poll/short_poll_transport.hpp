// ShortPollTransport: `GET /poll?channel=C&since=N` answers at once with what history holds after N.
#pragma once

#include <string>

#include "transports/common/batch_limits.hpp"
#include "transports/common/replay_wait.hpp"
#include "transports/common/transport.hpp"
#include "transports/pubsub/hub.hpp"

namespace rtb {

class ShortPollTransport final : public Transport {
 public:
  ShortPollTransport(Hub& hub, BatchLimits batch) : hub_(hub), batch_(batch) {}
  std::string_view name() const override { return "poll"; }
  void add_routes(Router& router) override;
  const TransportStats& stats() const override { return stats_; }
  // Polls waiting on the broker are answered now, naming what it did not answer as a gap.
  void shutdown() override { waits_.give_up_all(); }

 private:
  void handle(HttpConnection& connection, const HttpRequest& request);
  // Answers from the cursor, or waits for the broker first when history beyond this process's window is
  // asked for ("at once" then means as soon as the broker answers).
  void reply(HttpConnection& connection, ReplayCursor& cursor);

  Hub& hub_;
  BatchLimits batch_;
  TransportStats stats_;
  std::string scratch_;
  ReplayWaits waits_;
};

}  // namespace rtb
