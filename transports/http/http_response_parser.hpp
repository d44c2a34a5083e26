// HttpResponseParser: the client side of HTTP/1.1 over llhttp, counting head and body bytes of each response.
#pragma once

#include <llhttp.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rtb {

struct HttpResponseHead {
  int status = 0;
  bool keep_alive = true;
  std::vector<std::pair<std::string, std::string>> headers;  // names as received
  // First header with this name, case-insensitive; empty view when absent.
  std::string_view header(std::string_view name) const;
};

class HttpResponseEvents {
 public:
  virtual ~HttpResponseEvents() = default;
  virtual void on_response_head(const HttpResponseHead& head) = 0;
  // Body bytes as they arrive (de-chunked); a streaming body (SSE) arrives here forever.
  virtual void on_response_body(std::string_view bytes) = 0;
  virtual void on_response_complete(const HttpResponseHead& head) = 0;
};

class HttpResponseParser {
 public:
  explicit HttpResponseParser(HttpResponseEvents& events);
  HttpResponseParser(const HttpResponseParser&) = delete;
  HttpResponseParser& operator=(const HttpResponseParser&) = delete;

  // Tell the parser that the next response answers a HEAD request (it has no body whatever its headers say).
  void expect_head_response() { head_request_ = true; }
  // A client that needs only the status and keep-alive skips copying header names and values, so a response
  // costs no allocation (HttpResponseHead::headers stays empty).
  void set_keep_headers(bool keep) { keep_headers_ = keep; }
  // Consumes bytes; returns how many were taken. Fewer than `len` only after a 101 response (the rest belongs
  // to the upgraded protocol) or on error (see failed()).
  std::size_t feed(const char* data, std::size_t len);
  // End of stream: completes a response delimited by connection close.
  void finish();
  bool failed() const { return failed_; }
  bool upgraded() const { return upgraded_; }
  std::string_view error() const { return error_; }

  // De-chunked body bytes of the current response so far (from its head on; complete in
  // on_response_complete).
  std::uint64_t body_bytes() const { return body_bytes_; }
  // Bytes of every response parsed so far: head (status line + headers + chunk framing) and de-chunked body.
  // Head bytes are counted per feed() call, so only totals are kept for them.
  std::uint64_t total_head_bytes() const { return total_head_bytes_; }
  std::uint64_t total_body_bytes() const { return total_body_bytes_; }

  // llhttp trampolines.
  int on_message_begin();
  int on_header_field(const char* at, std::size_t len);
  int on_header_value(const char* at, std::size_t len);
  int on_headers_complete();
  int on_body(const char* at, std::size_t len);
  int on_message_complete();

 private:
  HttpResponseEvents& events_;
  llhttp_t parser_;
  HttpResponseHead head_;
  bool in_value_ = false;
  bool head_request_ = false;
  bool keep_headers_ = true;
  bool failed_ = false;
  bool upgraded_ = false;
  std::string error_;
  std::uint64_t body_bytes_ = 0;
  std::uint64_t total_head_bytes_ = 0;
  std::uint64_t total_body_bytes_ = 0;
};

}  // namespace rtb
