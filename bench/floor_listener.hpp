// What the two floor servers (rtbench-floor, rtbench-floor-push) share before their loops: the `--port P`
// argument, the signals that stop them, and a non-blocking listener on 127.0.0.1 in a new epoll set.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string_view>

namespace rtb::floor_server {

inline volatile std::sig_atomic_t g_stop = 0;

inline void on_stop_signal(int) {
  g_stop = 1;
}

// SIGINT and SIGTERM end the loop (which then exits 0); SIGPIPE is ignored (a peer that went away is an
// error from write, not the end of the program).
inline void handle_signals() {
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  std::signal(SIGPIPE, SIG_IGN);
}

inline bool stop_requested() {
  return g_stop != 0;
}

// What `usage(why)` of each floor does: `why` (a usage error) to stderr after the program's name, then the
// help text, to stdout for --help (why == nullptr, exit status 0) and to stderr otherwise (exit status 2).
inline int print_usage(const char* program, const char* why, const char* help) {
  if (why != nullptr) std::fprintf(stderr, "%s: %s\n", program, why);
  std::fputs(help, why != nullptr ? stderr : stdout);
  return why != nullptr ? 2 : 0;
}

// The port of `--port P` (else `default_port`), or the exit status to end with: usage(nullptr)'s after
// --help, usage(why)'s after a bad argument.
struct PortArgument {
  int port = 0;
  std::optional<int> exit_status;
};

inline PortArgument parse_port_argument(int argc, char** argv, int default_port, int (*usage)(const char*)) {
  PortArgument out{default_port, std::nullopt};
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "-h" || a == "--help") {
      out.exit_status = usage(nullptr);
      return out;
    }
    if (a == "--port" && i + 1 < argc) {
      char* end = nullptr;
      const long p = std::strtol(argv[++i], &end, 10);
      if (end == argv[i] || *end != '\0' || p < 1 || p > 65535) {
        out.exit_status = usage("--port takes 1-65535");
        return out;
      }
      out.port = static_cast<int>(p);
    } else {
      out.exit_status = usage("unknown argument (see --help)");
      return out;
    }
  }
  return out;
}

struct Listener {
  int socket = -1;
  int epoll = -1;  // level-triggered; the listener is in it with EPOLLIN
};

// nullopt after saying on stderr, as `program`, why it cannot listen.
inline std::optional<Listener> listen_on_loopback(int port, const char* program) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd, 4096) != 0) {
    std::fprintf(stderr, "%s: cannot listen on 127.0.0.1:%d: %s (pick another --port)\n", program, port,
                 std::strerror(errno));
    if (fd >= 0) close(fd);
    return std::nullopt;
  }
  Listener l{fd, epoll_create1(EPOLL_CLOEXEC)};
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = fd;
  epoll_ctl(l.epoll, EPOLL_CTL_ADD, fd, &ev);
  return l;
}

}  // namespace rtb::floor_server
