#include "harness/metrics/hdr_log.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <ctime>
#include <iterator>
#include <stdexcept>

namespace rtb {
namespace {

void put_be32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

void put_be64(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

// HdrHistogram's ZigZag LEB128 for 64-bit words: 7 bits per byte, low bits first, high bit = more follows;
// after eight such bytes (56 bits) the ninth carries the remaining 8 bits whole, so no word takes more
// than 9.
void put_zigzag(std::string& out, std::int64_t v) {
  std::uint64_t z = (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
  for (int i = 0; i < 8; ++i) {
    if ((z >> 7) == 0) {
      out.push_back(static_cast<char>(z));
      return;
    }
    out.push_back(static_cast<char>((z & 0x7f) | 0x80));
    z >>= 7;
  }
  out.push_back(static_cast<char>(z));
}

std::string utc_date_text(double unix_s) {
  const auto secs = static_cast<std::time_t>(std::floor(unix_s));
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char text[64];
  const std::size_t n = std::strftime(text, sizeof text, "%a %b %d %H:%M:%S UTC %Y", &tm);
  return std::string(text, n);
}

}  // namespace

std::string hdr_v2_encoding(const LatencyHistogram& h) {
  // The counts up to the slot of the largest value recorded (slot 0 when empty, as HdrHistogram writes it).
  const std::size_t limit = h.slot_of(h.max()) + 1;
  std::string counts;
  for (std::size_t i = 0; i < limit;) {
    const std::uint64_t c = h.count_at_slot(i);
    if (c != 0) {
      put_zigzag(counts, static_cast<std::int64_t>(c));
      ++i;
      continue;
    }
    std::size_t zeros = 0;
    while (i < limit && h.count_at_slot(i) == 0) {
      ++zeros;
      ++i;
    }
    put_zigzag(counts, -static_cast<std::int64_t>(zeros));
  }

  std::string out;
  out.reserve(40 + counts.size());
  put_be32(out, kHdrV2EncodingCookie);
  put_be32(out, static_cast<std::uint32_t>(counts.size()));
  put_be32(out, 0);  // normalizing index offset: counts are never shifted here
  put_be32(out, static_cast<std::uint32_t>(h.significant_digits()));
  put_be64(out, h.lowest());
  put_be64(out, h.highest());
  put_be64(out, std::bit_cast<std::uint64_t>(1.0));  // integer values: conversion ratio 1
  out += counts;
  return out;
}

std::string hdr_v2_compressed(const LatencyHistogram& h) {
  const std::string raw = hdr_v2_encoding(h);
  uLongf length = compressBound(static_cast<uLong>(raw.size()));
  std::string deflated(length, '\0');
  const int rc = compress2(reinterpret_cast<Bytef*>(deflated.data()), &length,
                           reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()),
                           Z_BEST_COMPRESSION);
  // compressBound() sized the buffer and the input is in memory: only a broken zlib fails here.
  if (rc != Z_OK) throw std::runtime_error(fmt::format("zlib compress2 failed ({})", rc));
  deflated.resize(length);

  std::string out;
  out.reserve(8 + deflated.size());
  put_be32(out, kHdrV2CompressedCookie);
  put_be32(out, static_cast<std::uint32_t>(deflated.size()));
  out += deflated;
  return out;
}

std::string base64_encode(std::string_view bytes) {
  // EVP_EncodeBlock writes 4 characters per 3 input bytes (padded) and a terminating NUL.
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string hdr_interval_log(std::vector<HdrLogInterval> intervals, std::string_view comment) {
  // Readers assume timestamps in order (HistogramLogReader stops at the first one past its range).
  std::stable_sort(intervals.begin(), intervals.end(), [](const HdrLogInterval& a, const HdrLogInterval& b) {
    return a.start_unix_s < b.start_unix_s;
  });
  std::string out;
  auto it = std::back_inserter(out);
  if (!comment.empty()) fmt::format_to(it, "#[{}]\n", comment.substr(0, 120));
  out += "#[Histogram log format version 1.3]\n";
  const double base = intervals.empty() ? 0 : intervals.front().start_unix_s;
  if (!intervals.empty()) {
    fmt::format_to(it, "#[StartTime: {:.3f} (seconds since epoch), {}]\n", base, utc_date_text(base));
    fmt::format_to(it, "#[BaseTime: {:.3f} (seconds since epoch)]\n", base);
  }
  out += "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n";
  for (const HdrLogInterval& interval : intervals) {
    fmt::format_to(it, "{:.3f},{:.3f},{:.3f},{}\n", interval.start_unix_s - base, interval.length_s,
                   static_cast<double>(interval.histogram->max()) / 1e6,
                   base64_encode(hdr_v2_compressed(*interval.histogram)));
  }
  return out;
}

}  // namespace rtb
