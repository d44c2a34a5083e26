#include "transports/common/batch_reader.hpp"

#include "transports/common/sse_gap.hpp"

namespace rtb {

void BatchReader::on_sse_event(const SseEvent& ev) {
  if (ev.type == kSseGapType) {
    std::uint64_t first = 0, last = 0;
    if (sse_parse_gap(ev.data, first, last)) events_.on_gap(first, last);
    return;
  }
  std::uint64_t id = 0;
  if (!sse_parse_id(ev.last_event_id, id)) return;
  if (id > last_id_) last_id_ = id;
  counters_.payload_bytes_down += ev.data.size();
  ++counters_.events;
  events_.on_event(id, ev.data);
}

}  // namespace rtb
