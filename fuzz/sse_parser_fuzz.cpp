// Fuzzes SseParser (line splitting on CR, LF and CRLF across chunks, BOM, fields, dispatch, limits, finish()
// between streams): whole, byte-by-byte and scattered splits must give the same callbacks, in bounded memory.
//
// Input: byte 0 picks max_event_bytes (16, 64, 1024 or the default); byte 1, if >= 128, ends the first stream
// with finish() at fraction (b1 - 128) / 128 of the rest, which the parser then reads as a second stream (a
// reconnect); bytes 2-3 place two cuts; the rest is the event stream.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "transports/common/sse_parser.hpp"

namespace rtb {
namespace {

[[noreturn]] void violation(const char* what) {
  std::fprintf(stderr, "sse_parser_fuzz: %s\n", what);
  std::abort();
}

class Recorder final : public SseParserEvents {
 public:
  std::string log;

  void on_sse_event(const SseEvent& ev) override {
    if (ev.type.empty()) violation("event with an empty type");
    log += "E ";
    append(ev.type);
    append(ev.data);
    append(ev.last_event_id);
    log += '\n';
  }
  void on_sse_retry(std::uint64_t ms) override { log += "R " + std::to_string(ms) + '\n'; }
  void on_sse_comment(std::string_view text) override {
    log += "C ";
    append(text);
    log += '\n';
  }

 private:
  // Length-prefixed, so fields that contain separators cannot make two different logs equal.
  void append(std::string_view s) {
    log += std::to_string(s.size());
    log += ':';
    log.append(s);
  }
};

// Feeds each stream in pieces cut at `cuts` (offsets into that stream), each piece in its own exact-size
// heap block so AddressSanitizer sees reads past it; finish() after each stream. Returns the log.
std::string run(std::size_t limit, const std::vector<std::string_view>& streams,
                const std::vector<std::vector<std::size_t>>& cuts) {
  Recorder events;
  SseParser parser(events, limit);
  // Each of line, data and event type is bounded by the limit (a line carries the type), plus a held BOM.
  const std::size_t bound = 3 * limit + 3;
  for (std::size_t s = 0; s < streams.size(); ++s) {
    std::size_t begin = 0;
    for (std::size_t i = 0; i <= cuts[s].size(); ++i) {
      const std::size_t end = i < cuts[s].size() ? cuts[s][i] : streams[s].size();
      std::string piece(streams[s].substr(begin, end - begin));
      piece.shrink_to_fit();
      parser.feed(piece);
      if (parser.buffered_bytes() > bound) violation("buffered bytes above the bound");
      if (parser.last_event_id().size() > limit) violation("last event id longer than a line");
      begin = end;
    }
    parser.finish();
    events.log += "F ";
    events.log += parser.failed() ? "failed " : "ok ";
    events.log += parser.last_event_id();
    events.log += '\n';
    if (!parser.failed() && parser.buffered_bytes() != 0) violation("finish() kept bytes");
  }
  parser.reset();
  if (parser.failed() || parser.buffered_bytes() != 0 || !parser.last_event_id().empty())
    violation("reset() did not restore the initial state");
  return events.log;
}

// A small deterministic generator for the scattered cuts, seeded by the input.
std::uint64_t mix(std::uint64_t& state) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}

}  // namespace
}  // namespace rtb

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return 0;
  static constexpr std::size_t kLimits[] = {16, 64, 1024, rtb::kSseMaxEventBytes};
  const std::size_t limit = kLimits[data[0] % 4];
  const std::string_view rest(reinterpret_cast<const char*>(data) + 4, size - 4);
  std::vector<std::string_view> streams;
  if (data[1] >= 128) {
    const std::size_t at = rest.size() * (data[1] - 128u) / 128;
    streams = {rest.substr(0, at), rest.substr(at)};
  } else {
    streams = {rest};
  }

  std::vector<std::vector<std::size_t>> none(streams.size()), bytes(streams.size()),
      scattered(streams.size());
  std::uint64_t state = 0x9E3779B97F4A7C15ull ^ size;
  for (std::uint8_t b : rest) state = (state ^ b) * 0x100000001B3ull;
  if (state == 0) state = 1;  // xorshift's one fixed point
  for (std::size_t s = 0; s < streams.size(); ++s) {
    const std::size_t n = streams[s].size();
    for (std::size_t i = 1; i < n; ++i) bytes[s].push_back(i);
    if (n == 0) continue;
    scattered[s] = {n * data[2] / 256, n * data[3] / 256};
    for (int i = 0; i < 6; ++i) scattered[s].push_back(rtb::mix(state) % n);
    std::sort(scattered[s].begin(), scattered[s].end());
  }

  const std::string whole = rtb::run(limit, streams, none);
  if (rtb::run(limit, streams, bytes) != whole) rtb::violation("byte-by-byte differs from whole");
  if (rtb::run(limit, streams, scattered) != whole) rtb::violation("scattered pieces differ from whole");
  return 0;
}
