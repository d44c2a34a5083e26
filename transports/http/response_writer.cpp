#include "transports/http/response_writer.hpp"

#include <charconv>
#include <cstring>

#include "transports/http/http_date.hpp"

namespace rtb {

std::string_view http_status_reason(int status) {
  switch (status) {
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 411:
      return "Length Required";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 426:
      return "Upgrade Required";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

namespace {

bool status_has_body(int status) {
  return status >= 200 && status != 204 && status != 304;
}

// Counts every byte put; writes those that fit in `capacity`.
class Cursor {
 public:
  Cursor(char* out, std::size_t capacity) : out_(out), capacity_(capacity) {}
  void put(std::string_view s) {
    // An empty view may have a null data(), which memcpy must not be given even for 0 bytes.
    if (!s.empty() && n_ + s.size() <= capacity_) std::memcpy(out_ + n_, s.data(), s.size());
    n_ += s.size();
  }
  std::size_t size() const { return n_; }

 private:
  char* out_;
  std::size_t capacity_;
  std::size_t n_ = 0;
};

// The status line of the answers a server sends all the time, whole; others are put together.
std::string_view common_status_line(int status) {
  switch (status) {
    case 200:
      return "HTTP/1.1 200 OK\r\n";
    case 204:
      return "HTTP/1.1 204 No Content\r\n";
    default:
      return {};
  }
}

std::string_view decimal(std::uint64_t value, char (&out)[24]) {
  auto end = std::to_chars(out, out + sizeof out, value).ptr;
  return {out, static_cast<std::size_t>(end - out)};
}

// One routine both measures and writes (the bytes that fit in `capacity`), so size and bytes can never
// disagree. Returns the head's whole size.
std::size_t write_head(const ResponseSpec& spec, char* out, std::size_t capacity) {
  Cursor c(out, capacity);
  char number[24];
  if (std::string_view line = common_status_line(spec.status); !line.empty()) {
    c.put(line);
  } else {
    c.put("HTTP/1.1 ");
    c.put(decimal(static_cast<std::uint64_t>(spec.status), number));
    c.put(" ");
    c.put(http_status_reason(spec.status));
    c.put("\r\n");
  }
  c.put(HttpDate::header_line());
  if (!spec.content_type.empty()) {
    c.put("Content-Type: ");
    c.put(spec.content_type);
    c.put("\r\n");
  }
  if (status_has_body(spec.status) && !spec.no_content_length) {
    c.put("Content-Length: ");
    c.put(decimal(spec.body.size(), number));
    c.put("\r\n");
  }
  if (spec.close) {
    c.put("Connection: close\r\n");
  } else if (spec.http10_keep_alive) {
    c.put("Connection: keep-alive\r\n");
  }
  c.put(spec.extra_headers);
  c.put("\r\n");
  return c.size();
}

}  // namespace

std::size_t ResponseWriter::head_size(const ResponseSpec& spec) {
  return write_head(spec, nullptr, 0);
}

SharedBuffer ResponseWriter::build(const ResponseSpec& spec) {
  // Written once into the stack, then copied: a typical head fits; a longer one is written again in place.
  char stack[512];
  std::size_t head = write_head(spec, stack, sizeof stack);
  bool with_body = status_has_body(spec.status) && !spec.head_only;
  std::size_t total = head + (with_body ? spec.body.size() : 0);
  SharedBuffer out = SharedBuffer::allocate(total);
  if (head <= sizeof stack) {
    std::memcpy(out.data(), stack, head);
  } else {
    write_head(spec, out.data(), head);
  }
  if (with_body && !spec.body.empty()) std::memcpy(out.data() + head, spec.body.data(), spec.body.size());
  return out;
}

}  // namespace rtb
