// The .hlog writer against a decoder written here from HdrHistogram's specification (its own base64, zlib's
// inflate, big-endian fields, ZigZag LEB128, HdrHistogram's index -> value arithmetic and percentile rule),
// sharing no code with the writer: what it decodes must be the in-memory histogram, slot for slot.
#include "harness/metrics/hdr_log.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace rtb {
namespace {

std::vector<std::uint8_t> base64_decode(const std::string& text) {
  auto sextet = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::vector<std::uint8_t> out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;
    const int v = sextet(c);
    if (v < 0) ADD_FAILURE() << "not base64: " << c;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xff));
    }
  }
  return out;
}

std::uint64_t be(const std::vector<std::uint8_t>& b, std::size_t at, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | b.at(at + static_cast<std::size_t>(i));
  return v;
}

std::vector<std::uint8_t> inflate_all(const std::uint8_t* data, std::size_t size) {
  z_stream s{};
  EXPECT_EQ(inflateInit(&s), Z_OK);
  s.next_in = const_cast<Bytef*>(data);
  s.avail_in = static_cast<uInt>(size);
  std::vector<std::uint8_t> out;
  int rc = Z_OK;
  while (rc == Z_OK) {
    std::uint8_t chunk[4096];
    s.next_out = chunk;
    s.avail_out = sizeof chunk;
    rc = inflate(&s, Z_NO_FLUSH);
    out.insert(out.end(), chunk, chunk + (sizeof chunk - s.avail_out));
  }
  EXPECT_EQ(rc, Z_STREAM_END);
  EXPECT_EQ(s.avail_in, 0u) << "bytes after the zlib stream";
  inflateEnd(&s);
  return out;
}

// What an HdrHistogram reader reconstructs from one compressed, base64 histogram.
struct Decoded {
  std::uint32_t compressed_cookie = 0, cookie = 0;
  std::int32_t normalizing_offset = 0, digits = 0;
  std::uint64_t lowest = 0, highest = 0;
  double ratio = 0;
  std::vector<std::uint64_t> counts;  // by HdrHistogram counts index, up to the last one encoded
  int unit_magnitude = 0, sub_bucket_half_magnitude = 0;

  std::uint64_t total() const {
    std::uint64_t t = 0;
    for (auto c : counts) t += c;
    return t;
  }
  // HdrHistogram's valueFromIndex and the width of that index's range of equivalent values.
  std::uint64_t value_from_index(std::size_t index) const {
    const std::uint64_t half = std::uint64_t{1} << sub_bucket_half_magnitude;
    int bucket = static_cast<int>(index >> sub_bucket_half_magnitude) - 1;
    std::uint64_t sub_bucket = (index & (half - 1)) + half;
    if (bucket < 0) {
      sub_bucket -= half;
      bucket = 0;
    }
    return sub_bucket << (bucket + unit_magnitude);
  }
  std::uint64_t range_width(std::size_t index) const {
    const int bucket = std::max(0, static_cast<int>(index >> sub_bucket_half_magnitude) - 1);
    return std::uint64_t{1} << (bucket + unit_magnitude);
  }
  // getValueAtPercentile: the first index whose cumulative count reaches ceil(p/100 * total), reported as
  // the highest value equivalent to that index's.
  std::uint64_t value_at_percentile(double p) const {
    const auto wanted =
        std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(p / 100.0 * total())));
    std::uint64_t running = 0;
    for (std::size_t i = 0; i < counts.size(); ++i) {
      running += counts[i];
      if (running >= wanted) return value_from_index(i) + range_width(i) - 1;
    }
    return 0;
  }
};

Decoded decode(const std::string& base64) {
  const std::vector<std::uint8_t> compressed = base64_decode(base64);
  Decoded d;
  d.compressed_cookie = static_cast<std::uint32_t>(be(compressed, 0, 4));
  const auto length = static_cast<std::size_t>(be(compressed, 4, 4));
  EXPECT_EQ(8 + length, compressed.size());
  const std::vector<std::uint8_t> raw = inflate_all(compressed.data() + 8, compressed.size() - 8);
  d.cookie = static_cast<std::uint32_t>(be(raw, 0, 4));
  const auto payload = static_cast<std::size_t>(be(raw, 4, 4));
  d.normalizing_offset = static_cast<std::int32_t>(be(raw, 8, 4));
  d.digits = static_cast<std::int32_t>(be(raw, 12, 4));
  d.lowest = be(raw, 16, 8);
  d.highest = be(raw, 24, 8);
  const std::uint64_t ratio_bits = be(raw, 32, 8);
  std::memcpy(&d.ratio, &ratio_bits, sizeof d.ratio);
  EXPECT_EQ(raw.size(), 40 + payload);

  std::size_t at = 40;
  while (at < raw.size()) {
    std::uint64_t z = 0;
    for (int i = 0;; ++i) {
      const std::uint8_t byte = raw.at(at++);
      if (i == 8) {
        z |= static_cast<std::uint64_t>(byte) << 56;
        break;
      }
      z |= static_cast<std::uint64_t>(byte & 0x7f) << (7 * i);
      if ((byte & 0x80) == 0) break;
    }
    const auto v = static_cast<std::int64_t>((z >> 1) ^ (~(z & 1) + 1));
    if (v < 0) {
      d.counts.insert(d.counts.end(), static_cast<std::size_t>(-v), 0);
    } else {
      d.counts.push_back(static_cast<std::uint64_t>(v));
    }
  }
  // The layout HdrHistogram derives from the header.
  d.unit_magnitude = 63 - __builtin_clzll(d.lowest);
  const double largest_single_unit = 2 * std::pow(10.0, d.digits);
  d.sub_bucket_half_magnitude = static_cast<int>(std::ceil(std::log2(largest_single_unit))) - 1;
  return d;
}

struct LogLine {
  double start = 0, length = 0, max = 0;
  std::string histogram;
};

struct ParsedLog {
  std::vector<std::string> comments;
  std::optional<double> start_time, base_time;
  bool legend = false;
  std::vector<LogLine> intervals;
};

ParsedLog parse_log(const std::string& text) {
  ParsedLog log;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    EXPECT_LT(line.size(), line.front() == '#' ? 128u : 1u << 20) << line;
    if (line.rfind("#[StartTime: ", 0) == 0) {
      log.start_time = std::stod(line.substr(13));
    } else if (line.rfind("#[BaseTime: ", 0) == 0) {
      log.base_time = std::stod(line.substr(12));
    } else if (line.front() == '#') {
      log.comments.push_back(line);
    } else if (line.rfind("\"StartTimestamp\"", 0) == 0) {
      log.legend = true;
    } else {
      LogLine l;
      std::istringstream fields(line);
      std::string f;
      std::getline(fields, f, ',');
      l.start = std::stod(f);
      std::getline(fields, f, ',');
      l.length = std::stod(f);
      std::getline(fields, f, ',');
      l.max = std::stod(f);
      std::getline(fields, l.histogram);
      log.intervals.push_back(l);
    }
  }
  return log;
}

void expect_same_distribution(const LatencyHistogram& h, const Decoded& d) {
  EXPECT_EQ(d.compressed_cookie & ~0xf0u, 0x1c849304u);
  EXPECT_EQ(d.cookie & ~0xf0u, 0x1c849303u);
  EXPECT_EQ(d.normalizing_offset, 0);
  EXPECT_EQ(d.ratio, 1.0);
  EXPECT_EQ(d.lowest, h.lowest());
  EXPECT_EQ(d.highest, h.highest());
  EXPECT_EQ(d.digits, h.significant_digits());
  ASSERT_LE(d.counts.size(), h.slot_count());
  EXPECT_EQ(d.total(), h.count());
  for (std::size_t i = 0; i < h.slot_count(); ++i) {
    const std::uint64_t decoded = i < d.counts.size() ? d.counts[i] : 0;
    ASSERT_EQ(decoded, h.count_at_slot(i)) << "slot " << i;
    if (decoded != 0) {
      // The index means the same values to both: the range [lowest equivalent, highest equivalent].
      const std::uint64_t low = d.value_from_index(i);
      ASSERT_EQ(h.slot_of(low), i);
      ASSERT_EQ(h.lowest_equivalent(low), low);
      ASSERT_EQ(h.highest_equivalent(low), low + d.range_width(i) - 1);
    }
  }
  for (double p : {1.0, 25.0, 50.0, 90.0, 99.0, 99.9, 99.99}) {
    EXPECT_EQ(d.value_at_percentile(p), h.highest_equivalent(h.value_at_percentile(p))) << "p" << p;
  }
}

TEST(HdrLog, EncodingBytesMatchTheSpecificationByHand) {
  LatencyHistogram h;  // 1 .. 3,600,000,000,000, 3 digits
  h.record(1, 2);
  h.record(5);
  const std::string e = hdr_v2_encoding(h);
  // Counts index 0..5 = 0, 2, 0, 0, 0, 1: ZigZag -1 -> 1, 2 -> 4, -3 -> 5, 1 -> 2.
  const std::string expected(
      "\x1c\x84\x93\x13"                  // V2 encoding cookie, word-size nibble 0x10
      "\x00\x00\x00\x04"                  // payload bytes
      "\x00\x00\x00\x00"                  // normalizing index offset
      "\x00\x00\x00\x03"                  // significant digits
      "\x00\x00\x00\x00\x00\x00\x00\x01"  // lowest discernible value
      "\x00\x00\x03\x46\x30\xb8\xa0\x00"  // highest trackable value, 3.6e12
      "\x3f\xf0\x00\x00\x00\x00\x00\x00"  // conversion ratio 1.0
      "\x01\x04\x05\x02",
      44);
  EXPECT_EQ(e, expected);
}

TEST(HdrLog, RandomLatenciesDecodeToTheSameSlotsAndPercentiles) {
  LatencyHistogram h;
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> latency_ns(std::log(200'000.0), 1.2);
  for (int i = 0; i < 200'000; ++i) h.record(static_cast<std::uint64_t>(latency_ns(rng)));
  h.record(0);  // zero is recordable in both
  expect_same_distribution(h, decode(base64_encode(hdr_v2_compressed(h))));
}

TEST(HdrLog, OtherLayoutsSaturationAndNineByteCounts) {
  LatencyHistogram h(1000, 10'000'000'000ULL, 2);
  h.record(0);
  h.record(999);
  h.record(123'456'789, 1ULL << 60);  // ZigZag 2^61: the ninth LEB128 byte
  h.record(20'000'000'000ULL);        // above highest: recorded as highest, saturated
  ASSERT_EQ(h.saturated_count(), 1u);
  const Decoded d = decode(base64_encode(hdr_v2_compressed(h)));
  expect_same_distribution(h, d);
  EXPECT_EQ(d.counts.size(), h.slot_of(h.highest()) + 1) << "counts end at the slot of the largest value";
}

TEST(HdrLog, EmptyHistogramDecodesEmpty) {
  LatencyHistogram h;
  const Decoded d = decode(base64_encode(hdr_v2_compressed(h)));
  EXPECT_EQ(d.total(), 0u);
  EXPECT_EQ(d.counts.size(), 1u) << "HdrHistogram writes index 0 even when empty";
  EXPECT_EQ(d.lowest, h.lowest());
}

TEST(HdrLog, Base64MatchesRfc4648Vectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
}

TEST(HdrLog, IntervalLogHasTheStandardHeaderAndIntervalsInTimeOrder) {
  LatencyHistogram first, second;
  for (std::uint64_t v = 1000; v < 2'000'000; v += 997) first.record(v);
  second.record(3'500'000);
  second.record(7'250'000);
  // Given out of order: the log puts them in time order, relative to the earliest start.
  const std::string text = hdr_interval_log(
      {{1'700'000'012.25, 3.0, &second}, {1'700'000'000.5, 10.0, &first}}, "rtbench load: test, ns");
  const ParsedLog log = parse_log(text);
  ASSERT_EQ(log.comments.size(), 2u) << text;
  EXPECT_EQ(log.comments[0], "#[rtbench load: test, ns]");
  EXPECT_EQ(log.comments[1], "#[Histogram log format version 1.3]");
  ASSERT_TRUE(log.start_time && log.base_time) << text;
  EXPECT_DOUBLE_EQ(*log.start_time, 1'700'000'000.5);
  EXPECT_DOUBLE_EQ(*log.base_time, 1'700'000'000.5);
  EXPECT_NE(text.find("(seconds since epoch), Tue Nov 14 22:13:20 UTC 2023]"), std::string::npos) << text;
  EXPECT_TRUE(log.legend);
  ASSERT_EQ(log.intervals.size(), 2u);
  EXPECT_EQ(log.intervals[0].start, 0.0);
  EXPECT_EQ(log.intervals[0].length, 10.0);
  EXPECT_DOUBLE_EQ(log.intervals[0].max, std::round(first.max() / 1e3) / 1e3);
  expect_same_distribution(first, decode(log.intervals[0].histogram));
  EXPECT_DOUBLE_EQ(log.intervals[1].start, 11.75);
  EXPECT_EQ(log.intervals[1].length, 3.0);
  EXPECT_DOUBLE_EQ(log.intervals[1].max, 7.25);
  expect_same_distribution(second, decode(log.intervals[1].histogram));
  EXPECT_NE(text.find("\n11.750,3.000,7.250,HISTF"), std::string::npos) << "HISTF: base64 of the V2 cookie";
}

}  // namespace
}  // namespace rtb
