// ScriptedServer: a server played by the test, for what a real rtbench server never sends (chunk extensions,
// trailers, bad chunk sizes, bytes dribbled one at a time). It accepts `connections` connections one after
// another and runs `script` on each, on a thread, with blocking socket calls that each wait at most 5 s.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace rtb::test {

class ScriptedServer {
 public:
  using Script = std::function<void(ScriptedServer& server, int fd, int index)>;

  ScriptedServer(int connections, Script script) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listen_fd_, 4);
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this, connections, script = std::move(script)] {
      for (int i = 0; i < connections; ++i) {
        pollfd p{listen_fd_, POLLIN, 0};
        if (::poll(&p, 1, 5000) != 1) break;
        const int fd = ::accept(listen_fd_, nullptr, nullptr);
        if (fd < 0) break;
        int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        script(*this, fd, i);
        ::close(fd);
      }
      done_ = true;
    });
  }
  ~ScriptedServer() {
    if (thread_.joinable()) thread_.join();
    ::close(listen_fd_);
  }
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  int port() const { return port_; }
  bool done() const { return done_; }
  // The request line of each connection's request, in order.
  std::vector<std::string> request_lines() {
    std::lock_guard lock(mutex_);
    return request_lines_;
  }

  // Reads one request head and records its request line; false when none came.
  bool read_request(int fd) {
    std::string in;
    char c;
    while (in.find("\r\n\r\n") == std::string::npos) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 5000) != 1 || ::recv(fd, &c, 1, 0) != 1) return false;
      in.push_back(c);
    }
    std::lock_guard lock(mutex_);
    request_lines_.push_back(in.substr(0, in.find("\r\n")));
    return true;
  }
  static void send_all(int fd, std::string_view bytes) {
    ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  }
  // One byte per write, each a segment of its own (TCP_NODELAY) with a pause between them, so the client's
  // reads end at many different places.
  static void dribble(int fd, std::string_view bytes) {
    for (char c : bytes) {
      ::send(fd, &c, 1, MSG_NOSIGNAL);
      ::usleep(500);
    }
  }
  // Waits until the client closes (or 5 s pass without a byte).
  static void wait_for_close(int fd) {
    char buf[256];
    for (;;) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 5000) != 1 || ::recv(fd, buf, sizeof buf, 0) <= 0) return;
    }
  }

 private:
  int listen_fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<std::string> request_lines_;
  std::atomic<bool> done_{false};
};

}  // namespace rtb::test
