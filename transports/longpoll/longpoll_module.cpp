// Long polling's entry in the transport table.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "transports/common/transport_module.hpp"
#include "transports/longpoll/longpoll_client.hpp"
#include "transports/longpoll/longpoll_transport.hpp"

namespace rtb {

namespace {

void add_serve_options(CLI::App& serve, TransportSettings& settings) {
  LongPollConfig& c = settings.get<LongPollConfig>();
  serve
      .add_option("--longpoll-timeout-ms", c.default_timeout_ms,
                  "Long polls without timeout= are held this long before a 204")
      ->check(CLI::Range(1, 3'600'000))
      ->capture_default_str();
  serve
      .add_option("--longpoll-max-timeout-ms", c.max_timeout_ms,
                  "A larger timeout= is capped to this; the default timeout is too")
      ->check(CLI::Range(1, 3'600'000))
      ->capture_default_str();
}

}  // namespace

const TransportModule& longpoll_transport_module() {
  static const TransportModule module{
      .name = "longpoll",
      .alias = {},
      .label = "long polling",
      .colour = "#ff7f0e",
      .summary = "GET /longpoll, held by the server until an event (or a timeout), then asked again",
      .delivery = Delivery::kParked,
      .kaazing = KaazingSide::kNone,
      .publishes_on_connection = false,
      .add_serve_options = add_serve_options,
      .make_server = [](const TransportContext& c) -> std::unique_ptr<Transport> {
        return std::make_unique<LongPollTransport>(c.hub, c.settings.get_or_default<LongPollConfig>(),
                                                   c.batch.max_events);
      },
      .make_client = [](Loop& loop, ClientOptions options, ClientEvents& events,
                        std::uint32_t) -> std::unique_ptr<ClientSession> {
        return std::make_unique<LongPollClient>(loop, std::move(options), events);
      },
      .reference_target =
          [](const ClientOptions& o) {
            return fmt::format("/longpoll?channel={}&since={}&timeout={}", o.channel, o.since,
                               o.longpoll_timeout_ms);
          },
  };
  return module;
}

}  // namespace rtb
