// BatchReader: the client side of a batch body (/poll, /longpoll): text/event-stream records in one finite
// body, reported as events and gaps with the payload/framing split.
#pragma once

#include <cstdint>
#include <string_view>

#include "transports/common/client_session.hpp"
#include "transports/common/sse_parser.hpp"

namespace rtb {

class BatchReader final : public SseParserEvents {
 public:
  BatchReader(ClientEvents& events, ClientWireCounters& counters) : events_(events), counters_(counters) {}
  void feed(std::string_view body) { parser_.feed(body); }
  // A batch ends with its response: an unterminated record is dropped and the parser is ready for the next.
  void end_batch() { parser_.finish(); }
  bool failed() const { return parser_.failed(); }
  std::uint64_t last_id() const { return last_id_; }
  void set_last_id(std::uint64_t id) { last_id_ = id; }
  void on_sse_event(const SseEvent& ev) override;

 private:
  ClientEvents& events_;
  ClientWireCounters& counters_;
  SseParser parser_{*this};
  std::uint64_t last_id_ = 0;
};

}  // namespace rtb
