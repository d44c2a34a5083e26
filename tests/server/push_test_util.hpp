// Helpers for the long-poll and SSE loopback tests: waiting on /stats, opening an event stream, and a socket
// that does not read.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <string_view>
#include <thread>

#include "tests/server/server_test_util.hpp"

namespace rtb::test {

inline std::uint64_t stat_value(int port, const std::string& key) {
  auto stats = get_stats(port);
  auto it = stats.find(key);
  return it == stats.end() ? UINT64_MAX : std::stoull(it->second);
}

// Polls /stats until `key` equals `want` (bounded by attempts, not by a time threshold); true when it did.
inline bool wait_for_stat(int port, const std::string& key, std::uint64_t want, int attempts = 500) {
  for (int i = 0; i < attempts; ++i) {
    if (stat_value(port, key) == want) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

// Sends `GET target` and reads the response head of a stream; afterwards client.buffer() holds only body
// bytes.
inline std::optional<HttpResponse> open_stream(BlockingClient& client, std::string_view target,
                                               std::string_view extra_headers = {}) {
  std::string req =
      "GET " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + std::string(extra_headers) + "\r\n";
  if (!client.send(req) || !client.read_until("\r\n\r\n")) return std::nullopt;
  std::string& buf = client.buffer();
  std::size_t end = buf.find("\r\n\r\n");
  HttpResponse r;
  r.head = buf.substr(0, end + 2);
  r.status = std::atoi(r.head.c_str() + 9);
  std::size_t pos = r.head.find("\r\n") + 2;
  while (pos < r.head.size()) {
    std::size_t eol = r.head.find("\r\n", pos);
    std::string line = r.head.substr(pos, eol - pos);
    pos = eol + 2;
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    r.headers[name] = value;
  }
  buf.erase(0, end + 4);
  return r;
}

// A client socket with a small receive buffer, set before connect so the window stays small (no autotuning):
// what the server can push ahead of the reader is bounded by its own send buffer and queue.
class SmallWindowClient {
 public:
  explicit SmallWindowClient(int port, int rcvbuf = 1024) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~SmallWindowClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  SmallWindowClient(const SmallWindowClient&) = delete;
  SmallWindowClient& operator=(const SmallWindowClient&) = delete;

  bool send(std::string_view bytes) {
    return fd_ >= 0 &&
           ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
  }
  // Reads until `needle` is in buffer(); false on close or when no byte came for 5 s.
  bool read_until(std::string_view needle) {
    // Only the bytes not searched yet (plus an overlap for a needle cut in two) are searched again.
    std::size_t from = 0;
    while (buffer_.find(needle, from) == std::string::npos) {
      from = buffer_.size() >= needle.size() ? buffer_.size() - needle.size() + 1 : 0;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0) return false;
      char tmp[65536];
      ssize_t n = ::recv(fd_, tmp, sizeof(tmp), 0);
      if (n <= 0) return false;
      buffer_.append(tmp, static_cast<std::size_t>(n));
    }
    return true;
  }
  std::string& buffer() { return buffer_; }

 private:
  int fd_ = -1;
  std::string buffer_;
};

// A SmallWindowClient that the test never reads: the server's queue for it can only grow.
using StalledSocket = SmallWindowClient;

}  // namespace rtb::test
