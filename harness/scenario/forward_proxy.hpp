// ForwardProxy: `rtbench load --proxy http://HOST:PORT`, the forward proxy (squid, a corporate proxy) the
// subscribers reach the server through, and the route each client takes through it.
#pragma once

#include <sys/socket.h>

#include <optional>
#include <string>
#include <string_view>

#include "harness/scenario/server_url.hpp"

namespace rtb {

struct ForwardProxy {
  std::string url;  // as given
  sockaddr_storage address{};
};

// Only http://HOST:PORT (a path, a query or TLS to the proxy itself are refused with a sentence that says
// what to write instead).
std::optional<ForwardProxy> parse_forward_proxy(std::string_view text, std::string* error);

// "host:port" of the server, as CONNECT names it (the port always, IPv6 in brackets).
std::string server_authority(const ServerUrl& server);

// How one client reaches `server` through `proxy`: it connects to the proxy, and either opens a CONNECT
// tunnel to the server (`tunnel`: a connection that upgrades, or TLS end to end, which a proxy forwarding
// requests cannot carry) or sends absolute-form request targets (RFC 9112 §3.2.2), which the proxy forwards.
struct ProxyRoute {
  sockaddr_storage connect_to{};
  std::string tunnel_to;  // "host:port", or empty
  // What precedes every request target (the server's path prefix and all): "http://host:port" for
  // absolute-form targets; empty for origin-form ones.
  std::string origin;
};
ProxyRoute route_through(const ForwardProxy& proxy, const ServerUrl& server, bool tunnel);

}  // namespace rtb
