// SseParser: incremental text/event-stream parser (WHATWG HTML "Server-sent events", Interpreting an event
// stream) that the SSE client and the poll/long-poll clients use to read events, with bounded memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace rtb {

// Default bound on one line and on one event's data buffer: larger than any event the server accepts.
inline constexpr std::size_t kSseMaxEventBytes = std::size_t{1} << 20;

// The views point into the parser and are valid only during the callback.
struct SseEvent {
  std::string_view type;           // "message" unless an `event:` field named another type
  std::string_view data;           // data lines joined with "\n"
  std::string_view last_event_id;  // the stream's last event id at dispatch (unchanged by an id-less record)
};

// Callbacks must not call feed(), finish() or reset() on the parser that is calling them.
class SseParserEvents {
 public:
  virtual ~SseParserEvents() = default;
  virtual void on_sse_event(const SseEvent& ev) = 0;
  virtual void on_sse_retry(std::uint64_t ms) { (void)ms; }
  // Text after the ':' of a comment line, verbatim; a heartbeat gives "".
  virtual void on_sse_comment(std::string_view text) { (void)text; }
};

// Bytes are taken as they come: no UTF-8 validation or U+FFFD replacement (the server only sends valid
// UTF-8).
class SseParser {
 public:
  // `max_event_bytes` bounds one line and the data of one event; past it the parser fails instead of growing.
  explicit SseParser(SseParserEvents& events, std::size_t max_event_bytes = kSseMaxEventBytes);

  // Any split of the stream into chunks gives the same callbacks; a no-op once failed().
  void feed(std::string_view bytes);
  // End of the stream: an event without its blank line is dropped (as a browser drops it). The parser is then
  // ready for the next stream of the same source (a reconnect): a BOM is skipped again and last_event_id() is
  // kept, seeding the new stream's id buffer so an id-less first record does not clear it.
  void finish();
  // Back to the freshly constructed state: the last event id and a failure are forgotten too.
  void reset();

  // The id that a reconnect sends as Last-Event-ID; it changes only when an event (or blank line) is
  // dispatched.
  const std::string& last_event_id() const { return last_event_id_; }
  // Bytes held for an incomplete line and for the event being assembled.
  std::size_t buffered_bytes() const { return line_.size() + data_.size() + type_.size() + bom_matched_; }
  // A line or an event exceeded max_event_bytes; input is ignored until reset().
  bool failed() const { return failed_; }

 private:
  void start_stream();
  void consume(const char* p, std::size_t n);
  void process_line(std::string_view line);
  void process_field(std::string_view name, std::string_view value);
  void dispatch();
  void fail();

  SseParserEvents& events_;
  std::size_t max_event_bytes_;
  std::string line_;       // the incomplete line at the end of the last chunk
  std::string data_;       // data buffer
  std::string type_;       // event type buffer
  std::string id_buffer_;  // last event ID buffer (takes effect at dispatch)
  std::string last_event_id_;
  std::size_t bom_matched_ = 0;  // bytes of a BOM seen so far while at the stream start
  bool at_stream_start_ = true;
  bool pending_cr_ = false;  // the last chunk ended in CR, so a leading LF completes that line end
  bool failed_ = false;
};

// Parses a last event id that the server produced (decimal, no sign, no spaces); false if malformed or >
// 2^64-1.
bool sse_parse_id(std::string_view last_event_id, std::uint64_t& out);

}  // namespace rtb
