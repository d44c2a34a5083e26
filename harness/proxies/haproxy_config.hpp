// HAProxy in front of rtbench, as an L4 (TCP) or an L7 (HTTP) proxy: the configuration text.
#pragma once

#include <cstdint>
#include <string>

#include "harness/proxies/proxy_site.hpp"

namespace rtb {

enum class HaproxyMode : std::uint8_t {
  kTcp,   // bytes relayed both ways, HTTP unseen
  kHttp,  // every request and response parsed; keep-alive on both sides (HAProxy's default http mode)
};

struct HaproxyOptions {
  HaproxyMode mode = HaproxyMode::kHttp;
  // timeout client / server / tunnel: a connection, or a tunnel (a WebSocket after its 101, anything in TCP
  // mode), with no bytes in either direction for this long is closed.
  std::uint64_t idle_timeout_ms = kProxyDefaultIdleTimeoutMs;
  // maxconn: concurrent client connections. HAProxy raises its descriptor limit to about twice this at start
  // and refuses to start when the hard limit is lower (20,000 here: at most about 9,990).
  int max_connections = 1024;
  // http mode: `option http-no-delay`. Without it HAProxy sends the body of a message it has not seen the end
  // of with MSG_MORE, so the kernel holds a small chunk of a chunked stream until the next one or about
  // 200 ms; a streamed response that must arrive at once needs it. tcp mode never holds bytes.
  bool no_delay = true;
};

std::string haproxy_config(const HaproxyOptions& options, const ProxySite& site);

}  // namespace rtb
