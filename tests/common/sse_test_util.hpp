// Test helpers for the SSE codec: a parser sink that records every callback as text, and feeders that split
// one stream into chunks in different ways so each case proves its result does not depend on the chunking.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "transports/common/sse_parser.hpp"

namespace rtb::sse_test {

inline std::string ev(std::string_view type, std::string_view data, std::string_view id) {
  std::string out = "event type=[";
  out.append(type).append("] data=[").append(data).append("] id=[").append(id).append("]");
  return out;
}
inline std::string retry(std::uint64_t ms) {
  return "retry " + std::to_string(ms);
}
inline std::string comment(std::string_view text) {
  return "comment [" + std::string(text) + "]";
}
inline std::string last_id(std::string_view id) {
  return "last_event_id [" + std::string(id) + "]";
}
inline constexpr std::string_view kFailed = "failed";

class Recorder : public SseParserEvents {
 public:
  void on_sse_event(const SseEvent& e) override { log.push_back(ev(e.type, e.data, e.last_event_id)); }
  void on_sse_retry(std::uint64_t ms) override { log.push_back(retry(ms)); }
  void on_sse_comment(std::string_view text) override { log.push_back(comment(text)); }
  std::vector<std::string> log;
};

// Feeds `chunks` as one stream, then finish(); the log ends with the last event id (and "failed" if so).
inline std::vector<std::string> parse_chunks(const std::vector<std::string_view>& chunks,
                                             std::size_t max_bytes = kSseMaxEventBytes) {
  Recorder rec;
  SseParser parser(rec, max_bytes);
  for (std::string_view c : chunks) parser.feed(c);
  parser.finish();
  rec.log.push_back(last_id(parser.last_event_id()));
  if (parser.failed()) rec.log.emplace_back(kFailed);
  return rec.log;
}

inline std::vector<std::string_view> split_at(std::string_view s, const std::vector<std::size_t>& cuts) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (std::size_t cut : cuts) {
    out.push_back(s.substr(start, cut - start));
    start = cut;
  }
  out.push_back(s.substr(start));
  return out;
}

// Named chunkings of `s`: whole, one byte at a time, every two-piece split, and seeded random splits.
struct Chunking {
  std::string name;
  std::vector<std::string_view> chunks;
};

inline std::vector<Chunking> chunkings(std::string_view s) {
  std::vector<Chunking> out;
  out.push_back({"whole", {s}});
  std::vector<std::size_t> every;
  for (std::size_t i = 1; i < s.size(); ++i) every.push_back(i);
  out.push_back({"bytewise", split_at(s, every)});
  for (std::size_t i = 0; i <= s.size(); ++i) out.push_back({"split@" + std::to_string(i), split_at(s, {i})});
  for (unsigned seed = 1; seed <= 16; ++seed) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<std::size_t> step(0, 7);  // 0 yields empty chunks, which must be harmless
    std::vector<std::size_t> cuts;
    for (std::size_t at = step(rng); at < s.size(); at += step(rng)) cuts.push_back(at);
    out.push_back({"random" + std::to_string(seed), split_at(s, cuts)});
  }
  return out;
}

}  // namespace rtb::sse_test
