#include "harness/metrics/tcp_info.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <vector>

namespace rtb {
namespace {

// A connected loopback pair (client, accepted server end) in this process.
struct Pair {
  int listener = -1, client = -1, server = -1;
  Pair() {
    listener = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ::bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(listener, 1);
    ::getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len);
    client = ::socket(AF_INET, SOCK_STREAM, 0);
    ::connect(client, reinterpret_cast<sockaddr*>(&a), sizeof a);
    server = ::accept(listener, nullptr, nullptr);
  }
  ~Pair() {
    for (int fd : {client, server, listener}) {
      if (fd >= 0) ::close(fd);
    }
  }
};

std::uint64_t inode_of(int fd) {
  struct stat st {};
  ::fstat(fd, &st);
  return st.st_ino;
}

TEST(TcpInfo, CountsTheSegmentsOfOneSocket) {
  Pair p;
  ASSERT_GE(p.server, 0);
  auto before = read_tcp_segments(p.client);
  ASSERT_TRUE(before) << "TCP_INFO without tcpi_segs_out/in (kernel < 4.2?)";
  char buf[64] = "hello";
  ASSERT_EQ(::send(p.client, buf, 5, 0), 5);
  ASSERT_EQ(::recv(p.server, buf, sizeof buf, 0), 5);
  auto after = read_tcp_segments(p.client);
  auto server = read_tcp_segments(p.server);
  ASSERT_TRUE(after && server);
  EXPECT_GE(after->segs_out, before->segs_out + 1);
  // Loopback: what one end sent, the other received.
  EXPECT_EQ(server->segs_in, after->segs_out);
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  EXPECT_FALSE(read_tcp_segments(pipe_fds[0]).has_value());  // not a TCP socket
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
}

TEST(TcpInfo, FindsThisProcesssSocketsByInode) {
  Pair p;
  auto sockets = read_own_tcp_sockets();
  bool client = false, server = false;
  for (const auto& s : sockets) {
    client = client || s.inode == inode_of(p.client);
    server = server || s.inode == inode_of(p.server);
  }
  EXPECT_TRUE(client);
  EXPECT_TRUE(server);
}

TEST(TcpInfo, SegmentsBetweenReadingsCountNewSocketsWhollyAndGoneOnesAsGone) {
  std::vector<OwnSocket> start = {{1, {10, 20}}, {2, {5, 5}}};
  std::vector<OwnSocket> end = {{1, {13, 24}}, {3, {2, 1}}};
  OwnSegments d = own_segments_between(start, end);
  EXPECT_EQ(d.segments, 3u + 4u + 2u + 1u);
  EXPECT_EQ(d.sockets, 2u);
  EXPECT_EQ(d.sockets_gone, 1u);
  // The kernel's counters are 32-bit: a wrap between the readings still gives the difference.
  d = own_segments_between({{7, {0xFFFFFFF0u, 0}}}, {{7, {0x10u, 0}}});
  EXPECT_EQ(d.segments, 0x20u);
}

TEST(TcpInfo, HostCpuFromProcStat) {
  auto cpu = parse_host_cpu("cpu  100 10 50 800 40 5 5 0 0 0\ncpu0 1 2 3 4\n", 100);
  ASSERT_TRUE(cpu);
  EXPECT_DOUBLE_EQ(cpu->busy_s, 1.70);  // user + nice + system + irq + softirq + steal
  EXPECT_DOUBLE_EQ(cpu->all_s, 10.10);
  EXPECT_FALSE(parse_host_cpu("intr 1 2 3", 100));
  EXPECT_TRUE(read_host_cpu().has_value());
  EXPECT_GE(process_cpu_seconds(), 0);
}

}  // namespace
}  // namespace rtb
