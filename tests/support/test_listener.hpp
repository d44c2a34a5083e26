// TestListener: a listening socket on 127.0.0.1 (port 0) that a client test plays the server with, byte by
// byte or not at all: the kernel completes handshakes into its accept queue whether or not the test accepts.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rtb::test {

class TestListener {
 public:
  // With backlog 0 and its one queue slot taken (fill_backlog()), further SYNs are dropped: a connect hangs.
  explicit TestListener(int backlog = 8) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sockaddr_in addr = loopback(0);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, backlog);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~TestListener() {
    close_accepted();
    if (filler_ >= 0) ::close(filler_);
    ::close(fd_);
  }
  TestListener(const TestListener&) = delete;
  TestListener& operator=(const TestListener&) = delete;

  int port() const { return port_; }
  // Takes one queued connection (non-blocking), if there is one; -1 otherwise.
  int accept_one() {
    const int fd = ::accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK);
    if (fd >= 0) accepted_.push_back(fd);
    return fd;
  }
  std::size_t accepted() const { return accepted_.size(); }
  // Appends what the connection has sent so far (non-blocking).
  static void read_some(int fd, std::string& into) {
    char buf[4096];
    ssize_t n;
    while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) into.append(buf, static_cast<std::size_t>(n));
  }
  static void send_all(int fd, std::string_view bytes) {
    ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  }
  // The server's close of everything it accepted.
  void close_accepted() {
    for (int fd : accepted_) ::close(fd);
    accepted_.clear();
  }
  // Takes the one slot of a backlog-0 queue with a blocking connect of our own; true when it connected.
  bool fill_backlog() {
    filler_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr = loopback(port_);
    return ::connect(filler_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }

  // A port nothing listens on: bound once, then closed.
  static int closed_port() {
    TestListener gone(1);
    return gone.port();
  }

 private:
  static sockaddr_in loopback(int port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    return addr;
  }

  int fd_ = -1;
  int port_ = 0;
  int filler_ = -1;
  std::vector<int> accepted_;
};

}  // namespace rtb::test
