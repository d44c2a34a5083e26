#include "transports/net/listen_socket.hpp"

#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <cerrno>

namespace rtb {

int bind_tcp_socket(const std::string& host, int port, bool reuse_port) {
  sockaddr_storage addr{};
  int rc = uv_ip4_addr(host.c_str(), port, reinterpret_cast<sockaddr_in*>(&addr));
  if (rc != 0) rc = uv_ip6_addr(host.c_str(), port, reinterpret_cast<sockaddr_in6*>(&addr));
  if (rc != 0) return rc;
  const int fd = ::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return uv_translate_sys_error(errno);
  const int on = 1;
  const socklen_t length = addr.ss_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
  if (::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
      (reuse_port && ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0) ||
      ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), length) != 0) {
    const int error = uv_translate_sys_error(errno);
    ::close(fd);
    return error;
  }
  return fd;
}

}  // namespace rtb
