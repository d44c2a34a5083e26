// Server-Sent Events' entry in the transport table.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "transports/common/transport_module.hpp"
#include "transports/sse/sse_client.hpp"
#include "transports/sse/sse_transport.hpp"

namespace rtb {

namespace {

void add_serve_options(CLI::App& serve, TransportSettings& settings) {
  SseConfig& c = settings.get<SseConfig>();
  serve
      .add_option("--sse-retry-ms", c.retry_ms,
                  "The retry: field sent once per stream: how long clients wait before reconnecting")
      ->check(CLI::Range(0, 3'600'000))
      ->capture_default_str();
  serve
      .add_option("--sse-heartbeat-ms", c.heartbeat_ms,
                  "A comment line after this much silence keeps proxies from cutting a stream; 0: none")
      ->check(CLI::Range(0, 3'600'000))
      ->capture_default_str();
}

}  // namespace

const TransportModule& sse_transport_module() {
  static const TransportModule module{
      .name = "sse",
      .alias = {},
      .label = "SSE",
      .colour = "#2ca02c",
      .summary = "GET /sse as text/event-stream (EventSource): one response, an event per record",
      .delivery = Delivery::kStreamed,
      .kaazing = KaazingSide::kNone,
      .publishes_on_connection = false,
      .add_serve_options = add_serve_options,
      .make_server = [](const TransportContext& c) -> std::unique_ptr<Transport> {
        return std::make_unique<SseTransport>(c.hub, c.settings.get_or_default<SseConfig>());
      },
      .make_client = [](Loop& loop, ClientOptions options, ClientEvents& events,
                        std::uint32_t) -> std::unique_ptr<ClientSession> {
        return std::make_unique<SseClient>(loop, std::move(options), events);
      },
      .reference_target =
          [](const ClientOptions& o) { return fmt::format("/sse?channel={}&since={}", o.channel, o.since); },
  };
  return module;
}

}  // namespace rtb
