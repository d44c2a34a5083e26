#include "transports/stream/chunk_framing.hpp"

#include <cassert>
#include <charconv>
#include <cstring>

#include "transports/common/sse_encoder.hpp"

namespace rtb {

namespace {

constexpr std::string_view kCrlf = "\r\n";

std::size_t hex_digits(std::size_t v) {
  std::size_t n = 1;
  while (v >= 16) {
    v /= 16;
    ++n;
  }
  return n;
}

// Writes "<hex size>\r\n" and returns where the payload goes.
char* write_size_line(char* out, std::size_t payload_size) {
  out = std::to_chars(out, out + 2 * sizeof(std::size_t), payload_size, 16).ptr;
  std::memcpy(out, kCrlf.data(), kCrlf.size());
  return out + kCrlf.size();
}

}  // namespace

std::size_t chunk_framed_size(std::size_t payload_size) {
  return hex_digits(payload_size) + kCrlf.size() + payload_size + kCrlf.size();
}

SharedBuffer chunk_of(std::string_view payload) {
  assert(!payload.empty());
  SharedBuffer out = SharedBuffer::allocate(chunk_framed_size(payload.size()));
  char* p = write_size_line(out.data(), payload.size());
  std::memcpy(p, payload.data(), payload.size());
  std::memcpy(p + payload.size(), kCrlf.data(), kCrlf.size());
  return out;
}

SharedBuffer chunk_of_event(std::uint64_t id, std::string_view text) {
  const std::size_t record = sse_event_encoded_size(id, text);
  SharedBuffer out = SharedBuffer::allocate(chunk_framed_size(record));
  char* p = write_size_line(out.data(), record);
  [[maybe_unused]] const std::size_t written = sse_encode_event(p, id, text);
  assert(written == record);
  std::memcpy(p + record, kCrlf.data(), kCrlf.size());
  return out;
}

}  // namespace rtb
