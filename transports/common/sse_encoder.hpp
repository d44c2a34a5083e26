// SSE encoder: writes the `id:`/`data:` records that both the /sse stream and the /poll and /longpoll batch
// bodies carry, so every HTTP transport puts the same bytes on the wire for the same event.
//
// Record layout: `id: <id>\n`, then one `data: <line>\n` per line of the text, then a blank line. The text is
// split on LF, CRLF and lone CR, because any of the three would end an SSE line; a browser joins the data
// lines with LF, so EventSource's event.data equals the published text with every line end normalised to
// "\n". The value always follows "data: " (with the space): a parser removes exactly one space after the
// colon, so a line that itself begins with a space keeps it. Empty text is encoded as a single `data: \n`.
// That gives the parser a data buffer of "\n" (non-empty), so the event IS dispatched, with event.data == "".
// Only a record with no data line at all is dropped by a browser.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "transports/net/shared_buffer.hpp"

namespace rtb {

// A comment line plus a blank line: keeps idle connections and proxies alive, dispatches nothing.
inline constexpr std::string_view kSseHeartbeat = ":\n\n";

// Exact number of bytes sse_encode_event() writes for this event.
std::size_t sse_event_encoded_size(std::uint64_t id, std::string_view data);

// Writes the record into `out`, which must hold sse_event_encoded_size(id, data) bytes; returns the bytes
// written.
std::size_t sse_encode_event(char* out, std::uint64_t id, std::string_view data);

// The record in one exactly sized allocation, ready to be shared by every subscriber of a broadcast.
SharedBuffer sse_encode_event_buffer(std::uint64_t id, std::string_view data);

// Appends the record to a batch body (/poll, /longpoll) or any other growing buffer.
void sse_append_event(std::string& out, std::uint64_t id, std::string_view data);

// `event: gap\ndata: <first_missing>-<last_missing>\n\n`: the ids in [first_missing, last_missing] are no
// longer retained. It has no id line, so the client's last event id stays where it was.
void sse_append_gap(std::string& out, std::uint64_t first_missing, std::uint64_t last_missing);

// `retry: <ms>\n\n`: the reconnection delay a client should use.
void sse_append_retry(std::string& out, std::uint64_t ms);

// One `:<line>\n` per line of `text` (split like event data), then a blank line; "" gives kSseHeartbeat.
void sse_append_comment(std::string& out, std::string_view text);

}  // namespace rtb
