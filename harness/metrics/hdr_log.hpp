// HdrHistogram's standard formats for a LatencyHistogram: the V2 encoding (compressed, base64) and the
// interval log (.hlog, "Histogram log format version 1.3"), so HdrHistogram's own tools read our latencies:
// HistogramLogProcessor (Java), hdrhistogram-py's HistogramLogReader, HdrHistogram_c's hdr_log_read.
//
// Mapping of our layout onto HdrHistogram's. LatencyHistogram follows HdrHistogram's published design to the
// slot, so a histogram of (lowest, highest, digits) here has exactly the counts array of an HdrHistogram
// constructed with lowestDiscernibleValue = lowest, highestTrackableValue = highest and
// numberOfSignificantValueDigits = digits:
//   unit magnitude   floor(log2(lowest))                       (both)
//   sub-buckets      2^ceil(log2(2 * 10^digits)), 2048 for 3   (both)
//   buckets          doublings of sub_buckets << unit magnitude until above highest (both)
//   counts index     (bucket + 1) * sub_buckets / 2 + (sub_bucket - sub_buckets / 2)  (both)
// So our slot i is HdrHistogram's counts index i and the encoding writes our counts as they are, with
// normalizing index offset 0 and integer-to-double conversion ratio 1.0 (an integer histogram). Values are
// whatever the histogram recorded; rtbench records nanoseconds. Our saturated_count (values above highest,
// recorded as highest) has no field in the format: those values are in the top slot, as HdrHistogram would
// hold them had it clamped, and the interval's max says highest.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "harness/metrics/latency_histogram.hpp"

namespace rtb {

// V2 cookies as HdrHistogram writes them: the V2 bases 0x1c849303 (encoding) and 0x1c849304 (compressed)
// with 0x10 set, the word-size nibble that V2 uses to say "ZigZag LEB128 counts". Readers mask the nibble.
inline constexpr std::uint32_t kHdrV2EncodingCookie = 0x1c849313;
inline constexpr std::uint32_t kHdrV2CompressedCookie = 0x1c849314;

// The uncompressed V2 encoding, big-endian: cookie, payload length, normalizing index offset (0), significant
// digits (int32 each), lowest and highest trackable value (int64), conversion ratio (IEEE double 1.0), then
// the counts from index 0 to the slot of max() as ZigZag LEB128 (at most 9 bytes each; a run of k empty
// slots is written as the single value -k).
std::string hdr_v2_encoding(const LatencyHistogram& h);

// The compressed form: cookie, length of what follows (int32, big-endian), and the zlib (RFC 1950) stream of
// hdr_v2_encoding(h).
std::string hdr_v2_compressed(const LatencyHistogram& h);

// Standard base64 (RFC 4648, '+' '/', '=' padding, no line breaks).
std::string base64_encode(std::string_view bytes);

struct HdrLogInterval {
  double start_unix_s = 0;  // the interval's start, seconds since the epoch
  double length_s = 0;
  const LatencyHistogram* histogram = nullptr;
};

// A complete interval log: the comment (one line as "#[comment]", cut to 120 characters), the format version,
// StartTime and BaseTime (both the earliest interval's start, so timestamps are seconds from it), the legend,
// then one line per interval in time order: "start,length,max,base64", start and length in seconds and max in
// milliseconds (the histogram's max() / 1e6: HdrHistogram's convention for nanosecond histograms), each with
// three decimals. Every header line stays under 128 characters, the line buffer of HdrHistogram_c's reader.
std::string hdr_interval_log(std::vector<HdrLogInterval> intervals, std::string_view comment);

}  // namespace rtb
