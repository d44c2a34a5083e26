// Short polling's entry in the transport table.
#include <fmt/format.h>

#include "transports/common/transport_module.hpp"
#include "transports/poll/poll_client.hpp"
#include "transports/poll/short_poll_transport.hpp"

namespace rtb {

const TransportModule& poll_transport_module() {
  static const TransportModule module{
      .name = "poll",
      .alias = {},
      .label = "short polling",
      .colour = "#d62728",
      .summary = "GET /poll on an interval; each answer carries what was published since the last",
      .delivery = Delivery::kPolled,
      .kaazing = KaazingSide::kPolling,
      .publishes_on_connection = false,
      .add_serve_options = nullptr,
      .make_server = [](const TransportContext& c) -> std::unique_ptr<Transport> {
        return std::make_unique<ShortPollTransport>(c.hub, c.batch);
      },
      .make_client = [](Loop& loop, ClientOptions options, ClientEvents& events,
                        std::uint32_t first_delay_ms) -> std::unique_ptr<ClientSession> {
        return std::make_unique<PollClient>(loop, std::move(options), events, first_delay_ms);
      },
      .reference_target =
          [](const ClientOptions& o) { return fmt::format("/poll?channel={}&since={}", o.channel, o.since); },
  };
  return module;
}

}  // namespace rtb
