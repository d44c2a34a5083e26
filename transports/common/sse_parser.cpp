#include "transports/common/sse_parser.hpp"

#include <cstring>
#include <limits>

namespace rtb {
namespace {

constexpr unsigned char kBom[3] = {0xEF, 0xBB, 0xBF};
// A one-off large event should not pin its buffer on every connection of a many-connection load generator.
constexpr std::size_t kRetainedCapacity = 64 * 1024;

std::size_t find_byte(const char* p, std::size_t n, char c) {
  const void* hit = std::memchr(p, c, n);
  return hit ? static_cast<std::size_t>(static_cast<const char*>(hit) - p) : n;
}

bool all_ascii_digits(std::string_view s) {
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Saturates instead of wrapping: a retry value past 2^64-1 ms means "never" either way.
std::uint64_t parse_saturating(std::string_view digits) {
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t v = 0;
  for (const char c : digits) {
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (v > (kMax - d) / 10) return kMax;
    v = v * 10 + d;
  }
  return v;
}

void release_if_large(std::string& s) {
  if (s.capacity() > kRetainedCapacity) std::string().swap(s);
}

}  // namespace

SseParser::SseParser(SseParserEvents& events, std::size_t max_event_bytes)
    : events_(events), max_event_bytes_(max_event_bytes) {}

void SseParser::feed(std::string_view bytes) {
  if (failed_) return;
  const char* p = bytes.data();
  std::size_t n = bytes.size();

  // The UTF-8 decoder strips one BOM at the very start; it may arrive split across chunks.
  while (at_stream_start_ && n > 0) {
    if (static_cast<unsigned char>(*p) == kBom[bom_matched_]) {
      ++p;
      --n;
      if (++bom_matched_ == sizeof(kBom)) {
        bom_matched_ = 0;
        at_stream_start_ = false;
      }
    } else {
      // Not a BOM after all: the bytes held back are the start of the first line (they contain no CR/LF).
      line_.append(reinterpret_cast<const char*>(kBom), bom_matched_);
      bom_matched_ = 0;
      at_stream_start_ = false;
    }
  }

  if (n == 0) return;
  if (pending_cr_) {
    pending_cr_ = false;
    if (*p == '\n') {
      ++p;
      --n;
    }
  }
  consume(p, n);
}

void SseParser::consume(const char* p, std::size_t n) {
  // Next LF and next CR at or after `pos` (n = none left). Each is re-searched only once `pos` passes it, so
  // a chunk is scanned at most once per byte value however its lines end.
  std::size_t pos = 0;
  std::size_t lf = find_byte(p, n, '\n');
  std::size_t cr = find_byte(p, n, '\r');
  while (pos < n) {
    if (lf < pos) lf = pos + find_byte(p + pos, n - pos, '\n');
    if (cr < pos) cr = pos + find_byte(p + pos, n - pos, '\r');
    const std::size_t eol = lf < cr ? lf : cr;
    const std::size_t len = eol - pos;
    if (line_.size() + len > max_event_bytes_) return fail();
    if (eol == n) {
      line_.append(p + pos, len);
      return;
    }
    if (line_.empty()) {
      process_line(std::string_view(p + pos, len));  // whole line in this chunk: no copy
    } else {
      line_.append(p + pos, len);
      process_line(line_);
      line_.clear();
    }
    if (failed_) return;
    pos = eol + 1;
    if (p[eol] == '\r') {
      if (pos == n) {
        pending_cr_ = true;
      } else if (p[pos] == '\n') {
        ++pos;
      }
    }
  }
}

void SseParser::process_line(std::string_view line) {
  if (line.empty()) return dispatch();
  if (line.front() == ':') return events_.on_sse_comment(line.substr(1));
  const std::size_t colon = find_byte(line.data(), line.size(), ':');
  if (colon == line.size()) return process_field(line, {});
  std::string_view value = line.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  process_field(line.substr(0, colon), value);
}

void SseParser::process_field(std::string_view name, std::string_view value) {
  if (name == "data") {
    if (data_.size() + value.size() + 1 > max_event_bytes_) return fail();
    data_.append(value);
    data_.push_back('\n');
  } else if (name == "event") {
    type_.assign(value);
  } else if (name == "id") {
    if (value.find('\0') == std::string_view::npos) id_buffer_.assign(value);
  } else if (name == "retry") {
    // Per spec "only ASCII digits"; an empty value would mean 0 ms, which no server intends, so it is
    // ignored.
    if (!value.empty() && all_ascii_digits(value)) events_.on_sse_retry(parse_saturating(value));
  }
}

void SseParser::dispatch() {
  if (last_event_id_ != id_buffer_) last_event_id_ = id_buffer_;
  if (data_.empty()) {
    type_.clear();
    return;
  }
  data_.pop_back();  // every data line appended a LF, so the buffer ends in one
  const std::string_view type = type_.empty() ? std::string_view("message") : std::string_view(type_);
  events_.on_sse_event(SseEvent{type, data_, last_event_id_});
  data_.clear();
  type_.clear();
  release_if_large(data_);
}

void SseParser::fail() {
  failed_ = true;
  line_.clear();
  data_.clear();
  type_.clear();
  release_if_large(line_);
  release_if_large(data_);
}

void SseParser::start_stream() {
  line_.clear();
  data_.clear();
  type_.clear();
  release_if_large(line_);
  release_if_large(data_);
  id_buffer_ = last_event_id_;
  bom_matched_ = 0;
  at_stream_start_ = true;
  pending_cr_ = false;
}

void SseParser::finish() {
  if (failed_) return;
  start_stream();
}

void SseParser::reset() {
  last_event_id_.clear();
  failed_ = false;
  start_stream();
}

bool sse_parse_id(std::string_view last_event_id, std::uint64_t& out) {
  if (last_event_id.empty() || !all_ascii_digits(last_event_id)) return false;
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t v = 0;
  for (const char c : last_event_id) {
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (v > (kMax - d) / 10) return false;
    v = v * 10 + d;
  }
  out = v;
  return true;
}

}  // namespace rtb
