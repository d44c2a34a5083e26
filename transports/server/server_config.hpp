// ServerConfig: every knob of `rtbench serve`, with the defaults the README documents.
#pragma once

#include <cstdint>
#include <string>

#include "transports/common/batch_limits.hpp"
#include "transports/common/transport_settings.hpp"
#include "transports/http/http_connection.hpp"
#include "transports/net/tcp_listener.hpp"
#include "transports/net/tls_context.hpp"
#include "transports/pubsub/hub.hpp"

namespace rtb {

struct ServerConfig {
  ListenerConfig listen;
  HttpLimits http;
  HubConfig hub;
  BatchLimits batch;
  // Each transport's own block (transports.get<SseConfig>() ...), filled by its serve options.
  TransportSettings transports;
  // https and wss when tls.cert_file is set: on listen.port itself (tls_port < 0), or on tls_port beside
  // plain HTTP on listen.port (0: a free port).
  TlsServerOptions tls;
  int tls_port = -1;
  // Empty: the built-in broker (ids and history in this process). "redis://HOST:PORT[/PREFIX]": shared.
  std::string broker_url;
  std::size_t workers = 1;  // processes; above 1 a supervisor runs them and broker_url is required
  std::uint32_t broker_timeout_ms = 1000;  // a Redis command unanswered this long: Redis counts as down
  std::uint32_t shutdown_grace_ms = 5000;  // sessions get this long to finish before everything is closed
  // Routes for tests only, never on by default: POST /debug/stall?ms=N blocks the loop N ms (N <= 2000) so a
  // test can check that a stalled server shows up in the load generator's latency.
  bool enable_test_hooks = false;
};

}  // namespace rtb
