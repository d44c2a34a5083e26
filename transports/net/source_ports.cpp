#include "transports/net/source_ports.hpp"

#include <netinet/in.h>
#include <uv.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>

namespace rtb {

socklen_t address_length(const sockaddr* a) {
  return a->sa_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
}

namespace {

std::string address_key(const sockaddr* a) {
  if (a->sa_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(a);
    return std::string(reinterpret_cast<const char*>(&v6->sin6_addr), sizeof v6->sin6_addr);
  }
  const auto* v4 = reinterpret_cast<const sockaddr_in*>(a);
  return std::string(reinterpret_cast<const char*>(&v4->sin_addr), sizeof v4->sin_addr);
}

void set_port(sockaddr_storage& a, std::uint16_t port) {
  if (a.ss_family == AF_INET6) {
    reinterpret_cast<sockaddr_in6*>(&a)->sin6_port = htons(port);
  } else {
    reinterpret_cast<sockaddr_in*>(&a)->sin_port = htons(port);
  }
}

}  // namespace

SourcePorts::SourcePorts() {
  // Below the range the kernel picks from (see the header); when too little lies below it, the range itself.
  std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range");
  unsigned lo = 0, hi = 0;
  if (range >> lo >> hi && lo > 0 && hi <= 65535 && lo < hi) {
    if (lo > kLowest + 4096) {
      last_ = static_cast<std::uint16_t>(lo - 1);
    } else {
      first_ = static_cast<std::uint16_t>(lo);
      last_ = static_cast<std::uint16_t>(hi);
    }
  }
}

void SourcePorts::set_slice(std::uint32_t index, std::uint32_t count) {
  if (count < 2 || index >= count) return;
  const std::uint32_t span = static_cast<std::uint32_t>(last_ - first_) + 1;
  const std::uint32_t lo = first_ + span * index / count;
  const std::uint32_t hi = first_ + span * (index + 1) / count - 1;
  first_ = static_cast<std::uint16_t>(lo);
  last_ = static_cast<std::uint16_t>(hi);
  next_.clear();
}

int SourcePorts::bind(int fd, const sockaddr* source) {
  const std::string key = address_key(source);
  auto it = next_.find(key);
  if (it == next_.end()) {
    // A random start: processes sharing an address mostly do not walk over each other's ports.
    std::random_device seed;
    std::uniform_int_distribution<std::uint32_t> start(first_, last_);
    it = next_.emplace(key, start(seed)).first;
  }
  sockaddr_storage address{};
  std::memcpy(&address, source, address_length(source));
  const std::uint32_t span = static_cast<std::uint32_t>(last_ - first_) + 1;
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  for (int i = 0; i < kMaxTries; ++i) {
    const std::uint32_t port = first_ + (it->second - first_) % span;
    it->second = port + 1;
    set_port(address, static_cast<std::uint16_t>(port));
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&address), address_length(source)) == 0) return 0;
    if (errno != EADDRINUSE) return uv_translate_sys_error(errno);
  }
  // A crowded address: the kernel's search, with the port chosen at connect() for the destination.
  ::setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
  set_port(address, 0);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&address), address_length(source)) != 0) {
    return uv_translate_sys_error(errno);
  }
  return 0;
}

}  // namespace rtb
