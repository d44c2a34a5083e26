#include "transports/http/response_writer.hpp"

#include <charconv>
#include <cstring>
#include <string>

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
std::string_view whole_status_line(int status) {
  switch (status) {
    case 200:
      return "HTTP/1.1 200 OK\r\n";
    case 204:
      return "HTTP/1.1 204 No Content\r\n";
    default:
      return {};
  }
}

std::string_view head_decimal(std::uint64_t value, char (&out)[24]) {
  auto end = std::to_chars(out, out + sizeof out, value).ptr;
  return {out, static_cast<std::size_t>(end - out)};
}

// One routine both measures and writes (the bytes that fit in `capacity`), so size and bytes can never
// disagree. Returns the head's whole size.
std::size_t write_head(const ResponseSpec& spec, char* out, std::size_t capacity) {
  Cursor c(out, capacity);
  char number[24];
  if (std::string_view line = whole_status_line(spec.status); !line.empty()) {
    c.put(line);
  } else {
    c.put("HTTP/1.1 ");
    c.put(head_decimal(static_cast<std::uint64_t>(spec.status), number));
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
    c.put(head_decimal(spec.body.size(), number));
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

// The bodiless answer a busy server repeats (an empty poll's 204) is the same bytes until its Date changes:
// the last one built is kept and shared, so answering it again allocates nothing. One per thread: a
// SharedBuffer's count is not atomic.
class RepeatedBodilessAnswer {
 public:
  SharedBuffer find(const ResponseSpec& spec, std::string_view date) const {
    const bool same = bytes_ && spec.status == status_ && spec.close == close_ &&
                      spec.http10_keep_alive == http10_keep_alive_ &&
                      spec.no_content_length == no_content_length_ && spec.content_type == content_type_ &&
                      spec.extra_headers == extra_headers_ && date == date_;
    return same ? bytes_ : SharedBuffer();
  }
  void keep(const ResponseSpec& spec, std::string_view date, SharedBuffer bytes) {
    status_ = spec.status;
    close_ = spec.close;
    http10_keep_alive_ = spec.http10_keep_alive;
    no_content_length_ = spec.no_content_length;
    content_type_ = spec.content_type;
    extra_headers_ = spec.extra_headers;
    date_ = date;
    bytes_ = std::move(bytes);
  }

 private:
  int status_ = 0;
  bool close_ = false;
  bool http10_keep_alive_ = false;
  bool no_content_length_ = false;
  std::string content_type_;
  std::string extra_headers_;
  std::string date_;
  SharedBuffer bytes_;
};

thread_local RepeatedBodilessAnswer repeated_bodiless_answer;

SharedBuffer build_fresh_response(const ResponseSpec& spec);

}  // namespace

std::size_t ResponseWriter::head_size(const ResponseSpec& spec) {
  return write_head(spec, nullptr, 0);
}

SharedBuffer ResponseWriter::build(const ResponseSpec& spec) {
  if (!spec.body.empty()) return build_fresh_response(spec);
  const std::string_view date = HttpDate::header_line();
  if (SharedBuffer same = repeated_bodiless_answer.find(spec, date)) return same;
  SharedBuffer bytes = build_fresh_response(spec);
  repeated_bodiless_answer.keep(spec, date, bytes);
  return bytes;
}

namespace {

SharedBuffer build_fresh_response(const ResponseSpec& spec) {
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

}  // namespace

}  // namespace rtb
