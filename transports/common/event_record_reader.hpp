// EventRecordReader: the client side of the text/event-stream records our server sends, in an SSE stream or
// in the batch body of /poll and /longpoll: events go to ClientEvents with their id, `event: gap` records as
// gaps, and the text of each event counts as payload.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "transports/common/client_link.hpp"
#include "transports/common/client_session.hpp"
#include "transports/common/sse_parser.hpp"

namespace rtb {

class EventRecordReader final : private SseParserEvents {
 public:
  // Nothing reaches `events` once `link` is stopped, also from the rest of a feed() that was under way.
  EventRecordReader(ClientEvents& events, ClientWireCounters& counters, const ClientLink& link)
      : events_(events), counters_(counters), link_(link) {}

  void feed(std::string_view bytes) { parser_.feed(bytes); }
  // The stream or the batch ended: an unterminated record is dropped; the last event id is kept for the next.
  void end() { parser_.finish(); }
  // Forgets a failure along with the parser's last event id (last_id() stays).
  void reset() { parser_.reset(); }
  // A line or an event exceeded the parser's bound; input is ignored until reset().
  bool failed() const { return parser_.failed(); }

  // The highest event id delivered (or the resume point it was given).
  std::uint64_t last_id() const { return last_id_; }
  void set_last_id(std::uint64_t id) { last_id_ = id; }
  // The id field as the stream last set it: what an SSE reconnect sends as Last-Event-ID (empty: none).
  const std::string& resume_id() const { return parser_.last_event_id(); }
  // The stream's `retry:`, once it sent one.
  std::optional<std::uint64_t> retry_ms() const { return retry_ms_; }

 private:
  void on_sse_event(const SseEvent& ev) override;
  void on_sse_retry(std::uint64_t ms) override { retry_ms_ = ms; }

  ClientEvents& events_;
  ClientWireCounters& counters_;
  const ClientLink& link_;
  SseParser parser_{*this};
  std::uint64_t last_id_ = 0;
  std::optional<std::uint64_t> retry_ms_;
};

}  // namespace rtb
