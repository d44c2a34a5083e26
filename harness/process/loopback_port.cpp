#include "harness/process/loopback_port.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace rtb {

namespace {

// A socket closed when it goes out of scope.
class ProbeSocket {
 public:
  ProbeSocket() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) {}
  ProbeSocket(const ProbeSocket&) = delete;
  ProbeSocket& operator=(const ProbeSocket&) = delete;
  ~ProbeSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

sockaddr_in loopback_address(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

}  // namespace

int pick_free_port(std::string* why) {
  ProbeSocket s;
  sockaddr_in addr = loopback_address(0);
  socklen_t len = sizeof addr;
  if (s.get() < 0 || ::bind(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(s.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    *why = fmt::format("cannot pick a free port on 127.0.0.1: {}", std::strerror(errno));
    return -1;
  }
  return ntohs(addr.sin_port);
}

bool port_accepts(int port, std::chrono::milliseconds wait) {
  ProbeSocket s;
  sockaddr_in addr = loopback_address(port);
  if (s.get() < 0) return false;
  if (::connect(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return true;
  if (errno != EINPROGRESS) return false;
  pollfd p{s.get(), POLLOUT, 0};
  if (::poll(&p, 1, static_cast<int>(wait.count())) != 1) return false;
  int err = 0;
  socklen_t len = sizeof err;
  return ::getsockopt(s.get(), SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0;
}

}  // namespace rtb
