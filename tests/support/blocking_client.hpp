// BlockingClient: a plain POSIX socket client for tests, with a deadline on every read.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace rtb::test {

struct HttpResponse {
  int status = 0;
  std::string head;                            // status line and headers, as received
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class BlockingClient {
 public:
  explicit BlockingClient(int port, const char* host = "127.0.0.1");
  ~BlockingClient();
  BlockingClient(const BlockingClient&) = delete;
  BlockingClient& operator=(const BlockingClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  bool send(std::string_view bytes);
  // Reads one response (Content-Length body, or until close when there is none); nullopt on timeout/close.
  std::optional<HttpResponse> read_response(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Convenience: a GET/POST with minimal headers, then read_response().
  std::optional<HttpResponse> request(std::string_view method, std::string_view target,
                                      std::string_view body = {}, std::string_view extra_headers = {});
  // Reads until `needle` appears in the received bytes (kept in buffer()); false on timeout or close.
  bool read_until(std::string_view needle, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // True when the peer closed (EOF or reset) within the timeout; bytes read meanwhile are kept.
  bool wait_closed(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  std::string& buffer() { return buffer_; }
  int fd() const { return fd_; }
  void close();

 private:
  // One read with a deadline; returns bytes read, 0 on EOF, -1 on timeout or error.
  long read_some(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  bool eof_ = false;
  std::string buffer_;
};

// One-shot helpers.
std::optional<HttpResponse> http_get(int port, std::string_view target);
std::optional<HttpResponse> http_post(int port, std::string_view target, std::string_view body);

}  // namespace rtb::test
