#include "tests/support/blocking_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

namespace rtb::test {

BlockingClient::BlockingClient(int port, const char* host) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) return;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, host, &addr.sin_addr);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd_);
    fd_ = -1;
    return;
  }
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

BlockingClient::~BlockingClient() {
  close();
}

void BlockingClient::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool BlockingClient::send(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

long BlockingClient::read_some(std::chrono::steady_clock::time_point deadline) {
  if (eof_ || fd_ < 0) return 0;
  for (;;) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return -1;
    pollfd p{fd_, POLLIN, 0};
    int rc = ::poll(&p, 1, static_cast<int>(left.count()));
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) return -1;
    char tmp[65536];
    ssize_t n = ::recv(fd_, tmp, sizeof(tmp), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      eof_ = true;
      return 0;
    }
    buffer_.append(tmp, static_cast<std::size_t>(n));
    return n;
  }
}

bool BlockingClient::read_until(std::string_view needle, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (buffer_.find(needle) == std::string::npos) {
    if (read_some(deadline) <= 0) return buffer_.find(needle) != std::string::npos;
  }
  return true;
}

bool BlockingClient::wait_closed(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (eof_) return true;
    long n = read_some(deadline);
    if (n == 0) return true;
    if (n < 0) return eof_;
  }
}

std::optional<HttpResponse> BlockingClient::read_response(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t head_end;
  while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (read_some(deadline) <= 0) return std::nullopt;
  }
  HttpResponse r;
  r.head = buffer_.substr(0, head_end + 2);
  if (r.head.size() < 12 || r.head.compare(0, 5, "HTTP/") != 0) return std::nullopt;
  r.status = std::atoi(r.head.c_str() + 9);
  std::size_t pos = r.head.find("\r\n") + 2;
  while (pos < r.head.size()) {
    std::size_t eol = r.head.find("\r\n", pos);
    std::string line = r.head.substr(pos, eol - pos);
    pos = eol + 2;
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    r.headers[name] = value;
  }
  buffer_.erase(0, head_end + 4);
  bool no_body = r.status == 204 || r.status == 304 || r.status < 200;
  if (!no_body) {
    if (r.headers.count("content-length")) {
      std::size_t length = std::stoul(r.headers["content-length"]);
      while (buffer_.size() < length) {
        if (read_some(deadline) <= 0) return std::nullopt;
      }
      r.body = buffer_.substr(0, length);
      buffer_.erase(0, length);
    } else {
      while (read_some(deadline) > 0) {
      }
      r.body.swap(buffer_);
      buffer_.clear();
    }
  }
  return r;
}

std::optional<HttpResponse> BlockingClient::request(std::string_view method, std::string_view target,
                                                    std::string_view body, std::string_view extra_headers) {
  std::string req;
  req.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
  req.append(extra_headers);
  if (!body.empty() || method == "POST")
    req.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  req.append("\r\n").append(body);
  if (!send(req)) return std::nullopt;
  return read_response();
}

std::optional<HttpResponse> http_get(int port, std::string_view target) {
  BlockingClient c(port);
  return c.request("GET", target);
}

std::optional<HttpResponse> http_post(int port, std::string_view target, std::string_view body) {
  BlockingClient c(port);
  return c.request("POST", target, body);
}

}  // namespace rtb::test
