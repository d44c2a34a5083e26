// TransportModule: everything the rest of rtbench knows about one transport, registered once (the list in
// transports/CMakeLists.txt) and iterated by the server, the load generator, `rtbench run`, verify, the
// report, the Kaazing table and, through the results' metadata, plot.py. Nothing else names a transport.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "transports/common/batch_limits.hpp"
#include "transports/common/client_session.hpp"
#include "transports/common/transport.hpp"
#include "transports/common/transport_settings.hpp"

namespace CLI {
class App;
}

namespace rtb {

class Hub;
class Loop;

// How events reach a client: what the report's models expect of latency and requests per event.
enum class Delivery : std::uint8_t {
  kPolled,    // the client asks on an interval; an event waits for the next ask (uniform over one interval)
  kParked,    // a request waits at the server and is answered by the next event: one request per event
  kStreamed,  // one long-lived response or connection; each event is written as it comes
};
std::string_view delivery_name(Delivery delivery);  // "polled", "parked", "streamed"

// Which side of the 2010 Kaazing comparison (HTTP polling vs WebSocket) a transport stands for, if any.
enum class KaazingSide : std::uint8_t { kNone, kPolling, kWebSocket };

// What the composition root hands a transport's server factory.
struct TransportContext {
  Hub& hub;
  const TransportSettings& settings;
  BatchLimits batch;
};

struct TransportModule {
  std::string_view name;     // "sse": its path (/sse), --transport sse, result rows and plot keys
  std::string_view alias;    // another accepted --transport spelling ("websocket"), or empty
  std::string_view label;    // "SSE": tables and plots
  std::string_view colour;   // "#2ca02c": plots
  std::string_view summary;  // one line for --help and reports: what a client does
  Delivery delivery = Delivery::kStreamed;
  KaazingSide kaazing = KaazingSide::kNone;
  // Its clients may publish on their own connection (WebSocket text messages): the load generator's
  // --publish-via auto then publishes that way instead of by POST /publish.
  bool publishes_on_connection = false;
  // Its clients switch protocols on the connection (HTTP Upgrade). Upgrade is hop-by-hop, so a forward proxy
  // that forwards requests drops it: through one, these clients open a CONNECT tunnel instead.
  bool upgrades_connection = false;
  // Its `rtbench serve` options (--sse-heartbeat-ms, ...), stored in its block of `settings`; may be null.
  void (*add_serve_options)(CLI::App& serve, TransportSettings& settings) = nullptr;
  std::unique_ptr<Transport> (*make_server)(const TransportContext& context) = nullptr;
  // One subscriber; `first_delay_ms` is the polling phase (a delay before the first request), which
  // transports that do not poll on an interval ignore.
  std::unique_ptr<ClientSession> (*make_client)(Loop& loop, ClientOptions options, ClientEvents& events,
                                                std::uint32_t first_delay_ms) = nullptr;
  // The request target of a subscriber's first request, for sizing header profiles
  // (`/sse?channel=C&since=N`).
  std::string (*reference_target)(const ClientOptions& options) = nullptr;
};

}  // namespace rtb
