// HTTP streaming's entry in the transport table.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "transports/common/transport_module.hpp"
#include "transports/stream/stream_client.hpp"
#include "transports/stream/stream_transport.hpp"

namespace rtb {

namespace {

void add_serve_options(CLI::App& serve, TransportSettings& settings) {
  StreamConfig& c = settings.get<StreamConfig>();
  serve
      .add_option("--stream-heartbeat-ms", c.heartbeat_ms,
                  "A comment-record chunk after this much silence keeps proxies from cutting a /stream "
                  "response; 0: none")
      ->check(CLI::Range(0, 3'600'000))
      ->capture_default_str();
}

}  // namespace

const TransportModule& stream_transport_module() {
  static const TransportModule module{
      .name = "stream",
      .alias = {},
      .label = "HTTP streaming",
      .colour = "#9467bd",
      .summary =
          "GET /stream, one endless chunked response read with fetch(): an event per chunk, resumed "
          "by since=",
      .delivery = Delivery::kStreamed,
      .kaazing = KaazingSide::kNone,
      .publishes_on_connection = false,
      .add_serve_options = add_serve_options,
      .make_server = [](const TransportContext& c) -> std::unique_ptr<Transport> {
        return std::make_unique<StreamTransport>(c.hub, c.settings.get_or_default<StreamConfig>());
      },
      .make_client = [](Loop& loop, ClientOptions options, ClientEvents& events,
                        std::uint32_t) -> std::unique_ptr<ClientSession> {
        return std::make_unique<StreamClient>(loop, std::move(options), events);
      },
      .reference_target =
          [](const ClientOptions& o) {
            return fmt::format("/stream?channel={}&since={}", o.channel, o.since);
          },
  };
  return module;
}

}  // namespace rtb
