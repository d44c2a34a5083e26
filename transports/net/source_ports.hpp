// SourcePorts: the local port of each outgoing connection bound to a source address (rtbench load
// --sources), picked here rather than by the kernel. Left to the kernel (IP_BIND_ADDRESS_NO_PORT), connect()
// searches the ephemeral range for a port free towards the destination, and with tens of thousands of
// connections per process most of a connect's time went into that search (__inet_check_established). A
// cursor per address hands out ports in turn; a port taken by someone else is skipped. The ports come from
// below the kernel's ephemeral range (10000 up to it): a port bound this way is one the kernel's own search
// skips for every program on the host until its last connection has left TIME_WAIT, so inside the range tens
// of thousands of them starved everyone else's connect() (a redis-server's first client timed out). The
// sockets are
// SO_REUSEADDR, so a port whose earlier connection waits in TIME_WAIT (the previous run's, for a minute) can
// be bound again: connect() still refuses a 4-tuple in use, and one cursor never hands out a port twice
// before it wraps. Processes that share an address take disjoint slices of the range (set_slice).
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <unordered_map>

namespace rtb {

// The length of an IPv4 or IPv6 address, as bind and connect want it.
socklen_t address_length(const sockaddr* address);

class SourcePorts {
 public:
  SourcePorts();

  // Binds the socket `fd` to `source` (its port ignored) with a port from that address's cursor; after
  // kMaxTries ports in use, leaves the port to connect(). 0 or a libuv error code.
  int bind(int fd, const sockaddr* source);
  // Slice `index` of `count` equal slices of the range: for `count` processes sharing source addresses.
  void set_slice(std::uint32_t index, std::uint32_t count);

 private:
  static constexpr int kMaxTries = 64;
  static constexpr std::uint16_t kLowest = 10000;
  std::uint16_t first_ = kLowest;  // to just below net.ipv4.ip_local_port_range
  std::uint16_t last_ = 32767;
  std::unordered_map<std::string, std::uint32_t> next_;  // address bytes -> next port to try
};

}  // namespace rtb
