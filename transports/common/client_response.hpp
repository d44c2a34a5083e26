// feed_response: how every HTTP client of ours reads its server's answers and counts their head bytes.
#pragma once

#include <cstddef>

#include "transports/common/client_session.hpp"
#include "transports/http/http_response_parser.hpp"

namespace rtb {

// Feeds the bytes to `parser` and counts the head bytes among them (status lines, headers, chunk framing) as
// header_bytes_down; returns how many bytes the parser took (fewer after a 101: the rest is the new
// protocol).
inline std::size_t feed_response(HttpResponseParser& parser, const char* data, std::size_t len,
                                 ClientWireCounters& counters) {
  const std::uint64_t head_before = parser.total_head_bytes();
  const std::size_t used = parser.feed(data, len);
  counters.header_bytes_down += parser.total_head_bytes() - head_before;
  return used;
}

}  // namespace rtb
