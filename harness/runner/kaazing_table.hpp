// KaazingTable: the 2010 websocket.org polling-vs-WebSocket overhead table beside the same setting measured
// (application bytes, and wire bytes with TCP segments counted), as a Markdown section of report.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/runner/aggregate.hpp"

namespace rtb {

// Lubbers and Greco, "HTML5 Web Sockets: A Quantum Leap in Scalability for the Web" (2010): 871 bytes of
// HTTP headers per poll, 2-byte WebSocket frames, one poll or message per client per second.
inline constexpr double kKaazingPollBytes = 871;
inline constexpr double kKaazingFrameBytes = 2;

struct KaazingReference {
  std::uint64_t clients;
  double polling_mbps;  // as printed in 2010 ("Mbps" = 2^20 bit/s)
  double websocket_mbps;
};
const std::vector<KaazingReference>& kaazing_2010_table();

// The Markdown section: one table per header profile found in `cases` (clients 1,000 and 10,000 measured,
// 100,000 extrapolated x10 from 10,000 and labelled so), then the poll:ws ratios against 435.5:1.
// Empty when no case was measured at one event per second.
std::string render_kaazing_section(const std::vector<CaseResults>& cases);

}  // namespace rtb
