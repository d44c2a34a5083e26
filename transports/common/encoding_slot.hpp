// encoding_slot: hands each wire encoding of an event (an SSE record, a WebSocket text frame, a chunk) its
// own slot in Event::encoded, so the pubsub floor needs to know none of them.
#pragma once

#include <string_view>

#include "transports/pubsub/event.hpp"

namespace rtb {

// A new slot for `name`, once per encoding and process (call it from a function-local static). More
// encodings than kMaxEncodings is a programming error: it aborts with the name.
EncodingSlot register_encoding(std::string_view name);

}  // namespace rtb
