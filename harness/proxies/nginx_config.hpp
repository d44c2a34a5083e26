// nginx as an L7 reverse proxy in front of rtbench: the configuration text, correct by default, with the
// misconfigurations the failure table shows as options.
#pragma once

#include <cstdint>
#include <string>

#include "harness/proxies/proxy_site.hpp"

namespace rtb {

struct NginxOptions {
  // false: the Upgrade and Connection headers are not passed upstream (the classic omission: nginx speaks
  // HTTP/1.1 to the server but drops hop-by-hop headers), so a WebSocket handshake never reaches the server
  // as one. Upstream keep-alive stays on, so only the upgrade differs.
  bool forward_upgrade = true;
  // true: nginx's own default, proxy_buffering on. rtbench's /sse answer carries `X-Accel-Buffering: no`,
  // which nginx honours per response, so this alone delays nothing there; see ignore_accel_buffering.
  bool buffering = false;
  // true: proxy_ignore_headers X-Accel-Buffering, i.e. what a server that does not send that header gets:
  // with buffering on, an event stream is held in nginx's buffers instead of being passed on.
  bool ignore_accel_buffering = false;
  // proxy_read_timeout and proxy_send_timeout: an upstream connection (a stream, a long poll, a WebSocket
  // tunnel) with no bytes for this long is closed. Shorter than the gap between events: the L7 load balancer
  // timeout that cuts quiet streams.
  std::uint64_t idle_timeout_ms = kProxyDefaultIdleTimeoutMs;
  int max_connections = 1024;  // client connections; each needs two descriptors (client and upstream side)
};

std::string nginx_config(const NginxOptions& options, const ProxySite& site);

}  // namespace rtb
