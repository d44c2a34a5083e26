#include "transports/net/source_ports.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <unistd.h>

#include <fstream>
#include <set>

namespace rtb {
namespace {

sockaddr_in loopback_source(const char* ip) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  inet_pton(AF_INET, ip, &a.sin_addr);
  return a;
}

std::uint16_t bound_port(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

class Sockets {
 public:
  int make() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    fds_.push_back(fd);
    return fd;
  }
  ~Sockets() {
    for (int fd : fds_) ::close(fd);
  }

 private:
  std::vector<int> fds_;
};

// Below the kernel's ephemeral range, which its own search for other programs' ports then keeps to itself.
TEST(SourcePorts, HandsOutDistinctPortsBelowTheEphemeralRangeOnTheSourceAddress) {
  unsigned ephemeral = 32768, hi = 60999;
  std::ifstream("/proc/sys/net/ipv4/ip_local_port_range") >> ephemeral >> hi;
  if (ephemeral <= 10000 + 4096) GTEST_SKIP() << "no room below the ephemeral range here";
  const unsigned lo = 10000;
  hi = ephemeral - 1;
  SourcePorts ports;
  Sockets sockets;
  const sockaddr_in source = loopback_source("127.0.0.7");
  std::set<std::uint16_t> seen;
  for (int i = 0; i < 100; ++i) {
    const int fd = sockets.make();
    ASSERT_EQ(ports.bind(fd, reinterpret_cast<const sockaddr*>(&source)), 0);
    const std::uint16_t port = bound_port(fd);
    EXPECT_GE(port, lo);
    EXPECT_LE(port, hi);
    seen.insert(port);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(SourcePorts, SkipsAPortSomeoneElseHolds) {
  SourcePorts ports;
  Sockets sockets;
  const sockaddr_in source = loopback_source("127.0.0.8");
  const int first = sockets.make();
  ASSERT_EQ(ports.bind(first, reinterpret_cast<const sockaddr*>(&source)), 0);
  // Another party takes the port the cursor will offer next.
  sockaddr_in taken = source;
  taken.sin_port = htons(static_cast<std::uint16_t>(bound_port(first) + 1));
  const int other = sockets.make();
  if (::bind(other, reinterpret_cast<const sockaddr*>(&taken), sizeof taken) != 0)
    GTEST_SKIP() << "port in use";
  const int second = sockets.make();
  ASSERT_EQ(ports.bind(second, reinterpret_cast<const sockaddr*>(&source)), 0);
  EXPECT_NE(bound_port(second), bound_port(other));
  EXPECT_NE(bound_port(second), 0);
}

}  // namespace
}  // namespace rtb

namespace rtb {
namespace {

TEST(SourcePorts, ASliceKeepsToItsShareOfTheRange) {
  unsigned ephemeral = 32768, top = 60999;
  std::ifstream("/proc/sys/net/ipv4/ip_local_port_range") >> ephemeral >> top;
  if (ephemeral <= 10000 + 4096) GTEST_SKIP() << "no room below the ephemeral range here";
  const unsigned lo = 10000, hi = ephemeral - 1;
  const unsigned span = hi - lo + 1;
  SourcePorts ports;
  ports.set_slice(2, 4);
  Sockets sockets;
  const sockaddr_in source = loopback_source("127.0.0.9");
  for (int i = 0; i < 50; ++i) {
    const int fd = sockets.make();
    ASSERT_EQ(ports.bind(fd, reinterpret_cast<const sockaddr*>(&source)), 0);
    EXPECT_GE(bound_port(fd), lo + span * 2 / 4);
    EXPECT_LT(bound_port(fd), lo + span * 3 / 4);
  }
}

}  // namespace
}  // namespace rtb
