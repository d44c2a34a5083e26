// rtbench-floor: the least a server can do for a keep-alive HTTP request on this kernel, for the peer scripts
// to set beside rtbench and nginx. One thread, level-triggered epoll, non-blocking sockets; per readable
// connection one read(), then one write() of a fixed 204 per request that read completed. It parses nothing
// but the end of each request head ("\r\n\r\n"), keeps no state but a connection's unfinished bytes count,
// allocates nothing after start. What it costs per request is the system calls and the kernel's TCP work:
// the floor any server's CPU per request stands on.
//
// Usage: rtbench-floor [--port P] (default 18092; 127.0.0.1). SIGINT or SIGTERM ends it with exit 0.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <vector>

#include "floor_listener.hpp"

namespace {

constexpr std::string_view kResponse = "HTTP/1.1 204 No Content\r\nServer: floor\r\n\r\n";
constexpr std::string_view kHeadEnd = "\r\n\r\n";
constexpr int kMaxEvents = 256;
// Enough for 64 pipelined responses in one write; a read never completes more requests than fit in it.
constexpr std::size_t kMaxBatch = 64;

int usage(const char* why) {
  return rtb::floor_server::print_usage(
      "rtbench-floor", why,
      "Usage: rtbench-floor [--port P]\n"
      "A keep-alive HTTP server that only reads and answers a fixed 204 (the CPU floor per request for\n"
      "the peer scripts). Listens on 127.0.0.1:P (default 18092). SIGINT/SIGTERM: exit 0.\n"
      "Exit status: 0 stopped by a signal; 2 usage or setup error.\n");
}

// Request heads completed by `data` for a connection that had `carry` bytes of "\r\n\r\n" matched before it;
// `carry` is updated. Heads are matched byte by byte so one split across reads still counts once.
std::size_t heads_completed(std::string_view data, std::size_t& carry) {
  std::size_t heads = 0;
  for (char c : data) {
    if (c == kHeadEnd[carry]) {
      if (++carry == kHeadEnd.size()) {
        ++heads;
        carry = 0;
      }
    } else {
      carry = c == kHeadEnd[0] ? 1 : 0;
    }
  }
  return heads;
}

}  // namespace

int main(int argc, char** argv) {
  const auto arg = rtb::floor_server::parse_port_argument(argc, argv, 18092, usage);
  if (arg.exit_status) return *arg.exit_status;
  rtb::floor_server::handle_signals();

  const auto listening = rtb::floor_server::listen_on_loopback(arg.port, "rtbench-floor");
  if (!listening) return 2;
  const int listener = listening->socket;
  const int ep = listening->epoll;
  const int one = 1;

  // Per descriptor: how much of "\r\n\r\n" the connection's last read ended in.
  std::vector<std::size_t> carry(1024);
  std::array<char, 64 * 1024> in{};
  std::array<char, kResponse.size() * kMaxBatch> out{};
  for (std::size_t i = 0; i < kMaxBatch; ++i)
    kResponse.copy(out.data() + i * kResponse.size(), kResponse.size());
  std::array<epoll_event, kMaxEvents> events{};

  while (!rtb::floor_server::stop_requested()) {
    const int n = epoll_wait(ep, events.data(), kMaxEvents, 500);
    for (int i = 0; i < n; ++i) {
      const int fd = events[static_cast<std::size_t>(i)].data.fd;
      if (fd == listener) {
        for (;;) {
          const int c = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
          if (c < 0) break;
          setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          if (static_cast<std::size_t>(c) >= carry.size()) carry.resize(static_cast<std::size_t>(c) * 2);
          carry[static_cast<std::size_t>(c)] = 0;
          epoll_event cev{};
          cev.events = EPOLLIN;
          cev.data.fd = c;
          epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
        }
        continue;
      }
      const ssize_t got = read(fd, in.data(), in.size());
      if (got <= 0) {
        close(fd);  // also leaves the epoll set
        continue;
      }
      std::size_t heads =
          heads_completed({in.data(), static_cast<std::size_t>(got)}, carry[static_cast<std::size_t>(fd)]);
      while (heads > 0) {
        const std::size_t batch = heads < kMaxBatch ? heads : kMaxBatch;
        // A client that does not read its answers is not this program's case: a short write closes it.
        if (write(fd, out.data(), batch * kResponse.size()) !=
            static_cast<ssize_t>(batch * kResponse.size())) {
          close(fd);
          break;
        }
        heads -= batch;
      }
    }
  }
  close(ep);
  close(listener);
  return 0;
}
