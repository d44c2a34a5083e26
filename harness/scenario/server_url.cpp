#include "harness/scenario/server_url.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>

#include <charconv>
#include <cstring>

namespace rtb {

namespace {

bool is_loopback(const sockaddr_storage& a) {
  if (a.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&a);
    return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
  }
  if (a.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&a);
    return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
  }
  return false;
}

void set_port(sockaddr_storage& a, std::uint16_t port) {
  if (a.ss_family == AF_INET) reinterpret_cast<sockaddr_in*>(&a)->sin_port = htons(port);
  if (a.ss_family == AF_INET6) reinterpret_cast<sockaddr_in6*>(&a)->sin6_port = htons(port);
}

}  // namespace

std::optional<sockaddr_storage> parse_ip_literal(std::string_view text) {
  std::string s(text);
  sockaddr_storage out{};
  auto* in = reinterpret_cast<sockaddr_in*>(&out);
  if (inet_pton(AF_INET, s.c_str(), &in->sin_addr) == 1) {
    in->sin_family = AF_INET;
    return out;
  }
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&out);
  if (inet_pton(AF_INET6, s.c_str(), &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    return out;
  }
  return std::nullopt;
}

std::string format_address(const sockaddr_storage& address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&address)->sin_addr, text, sizeof text);
  } else if (address.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&address)->sin6_addr, text, sizeof text);
  }
  return text;
}

std::optional<ServerUrl> parse_server_url(std::string_view text, std::string* error, bool allow_query) {
  auto fail = [&](std::string why) -> std::optional<ServerUrl> {
    if (error != nullptr) *error = fmt::format("--url {}: {}", text, why);
    return std::nullopt;
  };
  ServerUrl url;
  std::string_view rest = text;
  std::uint16_t default_port = 80;
  if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else if (rest.starts_with("ws://")) {
    rest.remove_prefix(5);
  } else if (rest.starts_with("https://") || rest.starts_with("wss://")) {
    rest.remove_prefix(rest.starts_with("https://") ? 8 : 6);
    url.tls = true;
    default_port = 443;
  } else {
    return fail("expected http://HOST:PORT or https://HOST:PORT, for example http://127.0.0.1:8080");
  }
  std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  if (slash == std::string_view::npos) {
    // http://host:port?x=1: the query starts the target.
    if (std::size_t q = authority.find('?'); q != std::string_view::npos) {
      path = authority.substr(q);
      authority = authority.substr(0, q);
    }
  }
  if (path.find('#') != std::string_view::npos) return fail("the URL must not carry a fragment");
  if (!allow_query && path.find('?') != std::string_view::npos) {
    return fail("the URL must not carry a query; use --channel for the channel");
  }
  url.request_target = path.starts_with('?') ? "/" + std::string(path) : std::string(path);
  path = path.substr(0, path.find('?'));
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  url.path_prefix = std::string(path);
  if (authority.empty()) return fail("the host is missing");
  std::string_view host_part = authority;
  std::string_view port_part;
  if (authority.front() == '[') {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return fail("an IPv6 address needs a closing ']'");
    host_part = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail("expected ':PORT' after the IPv6 address");
      port_part = after.substr(1);
    }
  } else {
    std::size_t colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
      if (authority.find(':') != colon) return fail("write an IPv6 address in brackets: http://[::1]:8080");
      host_part = authority.substr(0, colon);
      port_part = authority.substr(colon + 1);
    }
  }
  if (host_part.empty()) return fail("the host is missing");
  url.port = default_port;
  if (!port_part.empty() || authority.back() == ':') {
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_part.data(), port_part.data() + port_part.size(), port);
    if (ec != std::errc() || end != port_part.data() + port_part.size() || port == 0 || port > 65535) {
      return fail(fmt::format("'{}' is not a port number (1-65535)", port_part));
    }
    url.port = static_cast<std::uint16_t>(port);
  }
  url.host = std::string(host_part);
  bool v6 = url.host.find(':') != std::string::npos;
  std::string host_text = v6 ? "[" + url.host + "]" : url.host;
  url.host_header = url.port == default_port ? host_text : fmt::format("{}:{}", host_text, url.port);

  if (auto literal = parse_ip_literal(url.host)) {
    url.address = *literal;
  } else {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    int rc = getaddrinfo(url.host.c_str(), nullptr, &hints, &found);
    if (rc != 0 || found == nullptr) {
      return fail(fmt::format("cannot resolve host '{}': {}", url.host, gai_strerror(rc)));
    }
    std::memcpy(&url.address, found->ai_addr, found->ai_addrlen);
    freeaddrinfo(found);
  }
  set_port(url.address, url.port);
  url.loopback = is_loopback(url.address);
  return url;
}

}  // namespace rtb
