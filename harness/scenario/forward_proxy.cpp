#include "harness/scenario/forward_proxy.hpp"

#include <fmt/format.h>

namespace rtb {

std::optional<ForwardProxy> parse_forward_proxy(std::string_view text, std::string* error) {
  auto fail = [&](std::string_view why) -> std::optional<ForwardProxy> {
    *error = fmt::format("--proxy {}: {}", text, why);
    return std::nullopt;
  };
  if (!text.starts_with("http://")) {
    return fail(
        "write the forward proxy as http://HOST:PORT (the proxy itself is spoken to in plain HTTP; "
        "https and wss servers are reached through a CONNECT tunnel)");
  }
  std::string why;
  auto url = parse_server_url(text, &why);
  if (!url) return fail(why);
  if (!url->path_prefix.empty()) return fail("a forward proxy has no path: write http://HOST:PORT");
  ForwardProxy proxy;
  proxy.url = std::string(text);
  proxy.address = url->address;
  return proxy;
}

std::string server_authority(const ServerUrl& server) {
  const bool v6 = server.host.find(':') != std::string::npos;
  return v6 ? fmt::format("[{}]:{}", server.host, server.port)
            : fmt::format("{}:{}", server.host, server.port);
}

ProxyRoute route_through(const ForwardProxy& proxy, const ServerUrl& server, bool tunnel) {
  ProxyRoute route;
  route.connect_to = proxy.address;
  if (tunnel) {
    route.tunnel_to = server_authority(server);
  } else {
    route.origin = "http://" + server.host_header;
  }
  return route;
}

}  // namespace rtb
