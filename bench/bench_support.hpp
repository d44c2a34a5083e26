// Shared inputs of the micro-benchmarks: the event payload every case publishes, encodes or parses.
#pragma once

#include <cstdint>
#include <string>

namespace rtb::bench {

// What the load generator publishes: a JSON send stamp padded to `size` bytes (64 by default), ASCII only.
inline std::string event_payload(std::uint64_t seq, std::size_t size = 64) {
  std::string s = "{\"t\":" + std::to_string(1732541234000000000ULL + seq) + ",\"pad\":\"";
  if (s.size() + 2 < size) s.resize(size - 2, 'x');
  s += "\"}";
  return s;
}

}  // namespace rtb::bench
