// ServerConfig: every knob of `rtbench serve`, with the defaults the README documents.
#pragma once

#include <cstdint>

#include "transports/http/http_connection.hpp"
#include "transports/hub/hub.hpp"
#include "transports/net/tcp_listener.hpp"
#include "transports/poll/short_poll_transport.hpp"

namespace rtb {

struct ServerConfig {
  ListenerConfig listen;
  HttpLimits http;
  HubConfig hub;
  PollConfig poll;
  std::uint32_t shutdown_grace_ms = 5000;  // sessions get this long to finish before everything is closed
};

}  // namespace rtb
