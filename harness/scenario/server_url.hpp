// ServerUrl: the `--url` of a load run (http://HOST[:PORT][/prefix][?query]) parsed and resolved to a socket
// address.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rtb {

struct ServerUrl {
  std::string host;         // as written, without IPv6 brackets
  std::uint16_t port = 80;  // default port of the scheme when absent
  std::string path_prefix;  // "" or "/something" without a trailing slash: servers mounted below a prefix
  std::string host_header;  // the value of Host: "host" or "host:port" (brackets kept for IPv6)
  // The path as written (trailing slashes kept) with its query: what the round-trip modes request; "" when
  // the URL has no path.
  std::string request_target;
  sockaddr_storage address{};
  bool loopback = false;  // 127.0.0.0/8 or ::1: both ends of every connection are on this machine
  bool tls = false;       // https:// or wss://
};

// Accepts http:// and ws:// (the same server, the transport decides the path), and https:// and wss://
// (the same over TLS). nullopt with a sentence that
// says what to fix in *error; names are resolved with getaddrinfo (blocking, once, before the run). A query
// is refused unless `allow_query` (the round-trip modes request the URL itself; subscribers build their own).
std::optional<ServerUrl> parse_server_url(std::string_view text, std::string* error,
                                          bool allow_query = false);

// A numeric IPv4/IPv6 address (no port) as a sockaddr with port 0, for binding a source address.
std::optional<sockaddr_storage> parse_ip_literal(std::string_view text);

std::string format_address(const sockaddr_storage& address);  // "127.0.0.2" or "::1", no port

}  // namespace rtb
