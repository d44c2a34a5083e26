// Chunk framing (RFC 9112 7.1) for the /stream body: each record is written as one chunk of its own, so an
// intermediary that forwards a chunked body chunk by chunk forwards it event by event.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "transports/net/shared_buffer.hpp"

namespace rtb {

// The last chunk with no trailer fields: the body's clean end, after which a client knows nothing was cut.
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";

// Bytes of a chunk carrying `payload_size` bytes: the hex size line, the payload and its CRLF.
std::size_t chunk_framed_size(std::size_t payload_size);

// `payload` as one chunk in one exactly sized allocation. The payload must not be empty: a zero-size chunk is
// the last chunk and would end the body.
SharedBuffer chunk_of(std::string_view payload);

// The event's text/event-stream record (sse_encode_event) as one chunk, encoded straight into the chunk's
// buffer: one allocation per event, shared by every stream.
SharedBuffer chunk_of_event(std::uint64_t id, std::string_view text);

}  // namespace rtb
