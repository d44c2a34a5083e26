#include "transports/common/sse_encoder.hpp"

#include <cassert>
#include <charconv>
#include <cstring>

namespace rtb {
namespace {

constexpr std::string_view kIdPrefix = "id: ";
constexpr std::string_view kDataPrefix = "data: ";
constexpr std::size_t kMaxDecimalDigits = 20;  // UINT64_MAX has 20 digits

std::size_t decimal_digits(std::uint64_t v) {
  std::size_t n = 1;
  while (v >= 10) {
    v /= 10;
    ++n;
  }
  return n;
}

char* write_bytes(char* out, std::string_view bytes) {
  if (!bytes.empty()) std::memcpy(out, bytes.data(), bytes.size());
  return out + bytes.size();
}

char* write_decimal(char* out, std::uint64_t v) {
  // The caller sized the space with decimal_digits(), so to_chars cannot run out of room.
  return std::to_chars(out, out + kMaxDecimalDigits, v).ptr;
}

// Calls fn(line) for every line of `text`, splitting on LF, CRLF and lone CR; "" and a trailing line end both
// yield a final empty line, which is what keeps the encoding reversible.
template <typename Fn>
void for_each_line(std::string_view text, Fn&& fn) {
  const char* p = text.data();
  const char* const end = p + text.size();
  while (true) {
    const char* eol = p;
    while (eol != end && *eol != '\n' && *eol != '\r') ++eol;
    fn(std::string_view(p, static_cast<std::size_t>(eol - p)));
    if (eol == end) return;
    p = eol + 1;
    if (*eol == '\r' && p != end && *p == '\n') ++p;
  }
}

// Line-ends of `text` as (count, bytes), CRLF counting once but as two bytes.
void count_line_ends(std::string_view text, std::size_t& count, std::size_t& bytes) {
  count = 0;
  bytes = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      ++count;
      ++bytes;
    } else if (c == '\r') {
      ++count;
      ++bytes;
      if (i + 1 < text.size() && text[i + 1] == '\n') {
        ++bytes;
        ++i;
      }
    }
  }
}

std::size_t prefixed_lines_size(std::string_view prefix, std::string_view text) {
  std::size_t ends = 0;
  std::size_t end_bytes = 0;
  count_line_ends(text, ends, end_bytes);
  const std::size_t lines = ends + 1;
  return text.size() - end_bytes + lines * (prefix.size() + 1);
}

char* write_prefixed_lines(char* out, std::string_view prefix, std::string_view text) {
  for_each_line(text, [&](std::string_view line) {
    out = write_bytes(out, prefix);
    out = write_bytes(out, line);
    *out++ = '\n';
  });
  return out;
}

// Grows `out` by exactly `n` bytes and returns where they start.
char* grow(std::string& out, std::size_t n) {
  const std::size_t old = out.size();
  out.resize(old + n);
  return out.data() + old;
}

}  // namespace

std::size_t sse_event_encoded_size(std::uint64_t id, std::string_view data) {
  return kIdPrefix.size() + decimal_digits(id) + 1 + prefixed_lines_size(kDataPrefix, data) + 1;
}

std::size_t sse_encode_event(char* out, std::uint64_t id, std::string_view data) {
  char* p = write_bytes(out, kIdPrefix);
  p = write_decimal(p, id);
  *p++ = '\n';
  p = write_prefixed_lines(p, kDataPrefix, data);
  *p++ = '\n';
  return static_cast<std::size_t>(p - out);
}

SharedBuffer sse_encode_event_buffer(std::uint64_t id, std::string_view data) {
  const std::size_t size = sse_event_encoded_size(id, data);
  SharedBuffer buf = SharedBuffer::allocate(size);
  [[maybe_unused]] const std::size_t written = sse_encode_event(buf.data(), id, data);
  assert(written == size);
  return buf;
}

void sse_append_event(std::string& out, std::uint64_t id, std::string_view data) {
  const std::size_t size = sse_event_encoded_size(id, data);
  [[maybe_unused]] const std::size_t written = sse_encode_event(grow(out, size), id, data);
  assert(written == size);
}

void sse_append_gap(std::string& out, std::uint64_t first_missing, std::uint64_t last_missing) {
  constexpr std::string_view kHead = "event: gap\ndata: ";
  const std::size_t size =
      kHead.size() + decimal_digits(first_missing) + 1 + decimal_digits(last_missing) + 2;
  char* p = write_bytes(grow(out, size), kHead);
  p = write_decimal(p, first_missing);
  *p++ = '-';
  p = write_decimal(p, last_missing);
  *p++ = '\n';
  *p = '\n';
}

void sse_append_retry(std::string& out, std::uint64_t ms) {
  constexpr std::string_view kHead = "retry: ";
  char* p = write_bytes(grow(out, kHead.size() + decimal_digits(ms) + 2), kHead);
  p = write_decimal(p, ms);
  *p++ = '\n';
  *p = '\n';
}

void sse_append_comment(std::string& out, std::string_view text) {
  constexpr std::string_view kColon = ":";
  char* p = grow(out, prefixed_lines_size(kColon, text) + 1);
  p = write_prefixed_lines(p, kColon, text);
  *p = '\n';
}

}  // namespace rtb
