// WebSocket's entry in the transport table.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "transports/common/transport_module.hpp"
#include "transports/websocket/websocket_transport.hpp"
#include "transports/websocket/ws_client.hpp"

namespace rtb {

namespace {

void add_serve_options(CLI::App& serve, TransportSettings& settings) {
  WsConfig& c = settings.get<WsConfig>();
  serve
      .add_option("--ws-max-message-bytes", c.max_message_bytes,
                  "WebSocket message size limit (all fragments); a bigger one is refused with close 1009")
      ->check(CLI::Range(std::uint64_t{125}, std::uint64_t{1} << 40))
      ->capture_default_str();
  serve
      .add_option("--ws-max-fragments", c.max_fragments,
                  "Frames one WebSocket message may be split into; more -> close 1009")
      ->check(CLI::Range(1u, 1u << 24))
      ->capture_default_str();
  serve
      .add_option("--ws-ping-interval-ms", c.ping_interval_ms,
                  "Server ping on every WebSocket this often (0: never); a peer silent for a whole interval "
                  "after a ping is dropped")
      ->capture_default_str();
}

}  // namespace

const TransportModule& websocket_transport_module() {
  static const TransportModule module{
      .name = "ws",
      .alias = "websocket",
      .label = "WebSocket",
      .colour = "#1f77b4",
      .summary = "GET /ws upgraded to a WebSocket: one connection, an event per text frame",
      .delivery = Delivery::kStreamed,
      .kaazing = KaazingSide::kWebSocket,
      .publishes_on_connection = true,
      .upgrades_connection = true,
      .add_serve_options = add_serve_options,
      .make_server = [](const TransportContext& c) -> std::unique_ptr<Transport> {
        return std::make_unique<WebSocketTransport>(c.hub, c.settings.get_or_default<WsConfig>());
      },
      .make_client = [](Loop& loop, ClientOptions options, ClientEvents& events,
                        std::uint32_t) -> std::unique_ptr<ClientSession> {
        return std::make_unique<WsClient>(loop, std::move(options), events);
      },
      .reference_target =
          [](const ClientOptions& o) { return fmt::format("/ws?channel={}&since={}", o.channel, o.since); },
  };
  return module;
}

}  // namespace rtb
