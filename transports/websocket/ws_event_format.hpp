// The text of the frames /ws sends: an event is `<id> <data>`, a hole in the history is `gap <first>-<last>`;
// both ends read and write them here so the format lives in one place.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "transports/net/shared_buffer.hpp"
#include "transports/pubsub/event.hpp"

namespace rtb {

// The first word of a gap frame. It cannot be mistaken for an event, whose first word is a decimal id.
inline constexpr std::string_view kWsGapWord = "gap";

// The unmasked text frame `<id> <data>` for one event, in one allocation. Meant as the encoder for
// Event::encoded_as(slot, ...), so a broadcast builds it once for every subscriber.
SharedBuffer ws_encode_event_frame(const Event& event);

// `gap <first>-<last>`: ids in [first, last] were asked for (by `since`) but are gone from the history; the
// events that follow start at last + 1.
std::string ws_gap_text(std::uint64_t first, std::uint64_t last);

struct WsEventText {
  enum class Kind : std::uint8_t { kEvent, kGap, kOther };
  Kind kind = Kind::kOther;
  std::uint64_t id = 0;         // kEvent
  std::string_view data;        // kEvent: the event text (a view into the parsed message)
  std::uint64_t gap_first = 0;  // kGap
  std::uint64_t gap_last = 0;
  // Bytes of the message that are not event text: the `<id> ` prefix (kEvent) or everything (otherwise).
  std::size_t framing_bytes = 0;
};

// Reads one text message of /ws. Anything that is neither an event nor a well-formed gap is kOther.
WsEventText ws_parse_event_text(std::string_view message);

}  // namespace rtb
