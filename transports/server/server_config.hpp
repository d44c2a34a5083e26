// ServerConfig: every knob of `rtbench serve`, with the defaults the README documents.
#pragma once

#include <cstdint>

#include "transports/http/http_connection.hpp"
#include "transports/pubsub/hub.hpp"
#include "transports/longpoll/longpoll_transport.hpp"
#include "transports/net/tcp_listener.hpp"
#include "transports/poll/short_poll_transport.hpp"
#include "transports/websocket/websocket_transport.hpp"
#include "transports/sse/sse_transport.hpp"

namespace rtb {

struct ServerConfig {
  ListenerConfig listen;
  HttpLimits http;
  HubConfig hub;
  PollConfig poll;
  WsConfig ws;
  LongPollConfig longpoll;
  SseConfig sse;
  std::uint32_t shutdown_grace_ms = 5000;  // sessions get this long to finish before everything is closed
  // Routes for tests only, never on by default: POST /debug/stall?ms=N blocks the loop N ms (N <= 2000) so a
  // test can check that a stalled server shows up in the load generator's latency.
  bool enable_test_hooks = false;
};

}  // namespace rtb
