// PayloadStamp: the publisher's sequence number and INTENDED send time carried at the start of every event
// text (`<seq> <intended_send_ns> ` + padding), so a subscriber measures latency without coordinated
// omission.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rtb {

struct PayloadStamp {
  std::uint64_t seq = 0;
  std::uint64_t intended_ns = 0;  // CLOCK_MONOTONIC time the event was scheduled to go out
};

// CLOCK_MONOTONIC in nanoseconds: the one clock publisher and subscribers share (same machine).
std::uint64_t monotonic_now_ns();

// Appends the event text to `out`: the stamp, then 'x' padding up to `payload_bytes`. A size smaller than the
// stamp gives the stamp alone (never a truncated one). Returns the number of bytes appended.
std::size_t append_payload(std::string& out, const PayloadStamp& stamp, std::size_t payload_bytes);

// The same text written to `out`, which must hold max(payload_bytes, kMaxPayloadStampBytes) bytes; for
// callers that fill a preallocated frame instead of a string. Returns the number of bytes written.
inline constexpr std::size_t kMaxPayloadStampBytes = 42;  // two 20-digit numbers and two spaces
std::size_t write_payload(char* out, const PayloadStamp& stamp, std::size_t payload_bytes);

// The stamp's length for these values (what the smallest useful --payload-bytes is).
std::size_t payload_stamp_bytes(const PayloadStamp& stamp);

// nullopt for text that does not start with "<digits> <digits> " (an event some other publisher sent).
std::optional<PayloadStamp> parse_payload_stamp(std::string_view data);

}  // namespace rtb
