#include "harness/scenario/payload_stamp.hpp"

#include <time.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace rtb {

std::uint64_t monotonic_now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ULL + static_cast<std::uint64_t>(ts.tv_nsec);
}

std::size_t write_payload(char* out, const PayloadStamp& stamp, std::size_t payload_bytes) {
  char* p = std::to_chars(out, out + 20, stamp.seq).ptr;
  *p++ = ' ';
  p = std::to_chars(p, p + 20, stamp.intended_ns).ptr;
  *p++ = ' ';
  const auto written = static_cast<std::size_t>(p - out);
  if (written >= payload_bytes) return written;
  std::memset(p, 'x', payload_bytes - written);
  return payload_bytes;
}

std::size_t append_payload(std::string& out, const PayloadStamp& stamp, std::size_t payload_bytes) {
  char stamp_text[kMaxPayloadStampBytes];
  const std::size_t stamp_len = write_payload(stamp_text, stamp, 0);
  out.append(stamp_text, stamp_len);
  if (stamp_len < payload_bytes) out.append(payload_bytes - stamp_len, 'x');
  return std::max(stamp_len, payload_bytes);
}

std::size_t payload_stamp_bytes(const PayloadStamp& stamp) {
  std::string s;
  return append_payload(s, stamp, 0);
}

std::optional<PayloadStamp> parse_payload_stamp(std::string_view data) {
  PayloadStamp stamp;
  const char* p = data.data();
  const char* end = p + data.size();
  auto r1 = std::from_chars(p, end, stamp.seq);
  if (r1.ec != std::errc() || r1.ptr == end || *r1.ptr != ' ') return std::nullopt;
  auto r2 = std::from_chars(r1.ptr + 1, end, stamp.intended_ns);
  if (r2.ec != std::errc() || r2.ptr == end || *r2.ptr != ' ') return std::nullopt;
  return stamp;
}

}  // namespace rtb
