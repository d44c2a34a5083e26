#include "transports/common/event_record_reader.hpp"

#include "transports/common/sse_gap.hpp"

namespace rtb {

void EventRecordReader::on_sse_event(const SseEvent& ev) {
  if (link_.stopped()) return;
  if (ev.type == kSseGapType) {
    std::uint64_t first = 0, last = 0;
    if (sse_parse_gap(ev.data, first, last)) events_.on_gap(first, last);
    return;
  }
  // Our server sends events and gaps only; another type is what an EventSource's onmessage would not see.
  if (ev.type != "message") return;
  std::uint64_t id = 0;
  if (!sse_parse_id(ev.last_event_id, id)) return;
  if (id > last_id_) last_id_ = id;
  counters_.payload_bytes_down += ev.data.size();
  ++counters_.events;
  events_.on_event(id, ev.data);
}

}  // namespace rtb
