// Result figures: the derived numbers the report and plots show that are not CSV columns themselves
// (application and wire bytes per event and per second, header bytes per request, binary megabits).
#pragma once

#include "harness/scenario/load_result.hpp"

namespace rtb {

// What one TCP segment adds on the wire beyond its payload on loopback: 20 B IPv4 + 20 B TCP + 12 B of
// timestamp option (tcp_timestamps=1). Ethernet framing would add 14-38 B more; loopback has none.
inline constexpr double kTcpSegmentOverheadBytes = 52;

// Headers, framing and payload, up plus down, per delivered event.
double app_bytes_per_event(const LoadResult& r);
// What TCP carried per event: the application bytes, or over TLS the records and handshakes that hold them.
double tcp_payload_bytes_per_event(const LoadResult& r);
// tcp_payload_bytes_per_event + TCP segments per event x 52 B (segments of both ends, ACKs included).
double wire_bytes_per_event(const LoadResult& r);
double app_bytes_per_s(const LoadResult& r);
double tcp_payload_bytes_per_s(const LoadResult& r);
double wire_bytes_per_s(const LoadResult& r);
// HTTP request + response head bytes per request; NaN without requests (SSE, WebSocket).
double header_bytes_per_request(const LoadResult& r);
// Requests and application bytes per second per connected client (the idle cost).
double requests_per_s_per_client(const LoadResult& r);
double app_bytes_per_s_per_client(const LoadResult& r);
// Bytes per second in the Kaazing table's "Mbps": 2^20 bits per second.
double binary_mbps(double bytes_per_s);

}  // namespace rtb
