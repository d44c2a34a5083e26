// The numbered events the client tests publish and expect: ids first..last with known text, every fifth on
// two lines (streams carry it as several data lines), checked exactly once and in order.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "tests/server/server_test_util.hpp"
#include "tests/support/client_loop.hpp"

namespace rtb::test {

inline std::string text_of(std::uint64_t id) {
  return id % 5 == 0 ? "event " + std::to_string(id) + "\nsecond line" : "event " + std::to_string(id);
}

// Publishes first..last on `channel`; the server must assign exactly those ids.
inline void publish_range(int port, std::string_view channel, std::uint64_t first, std::uint64_t last) {
  for (std::uint64_t id = first; id <= last; ++id) ASSERT_EQ(publish(port, channel, text_of(id)), id);
}

// Ids first..last, each once and in order, with their text.
inline void expect_exactly(const RecordingEvents& got, std::uint64_t first, std::uint64_t last) {
  ASSERT_EQ(got.events.size(), last - first + 1);
  for (std::uint64_t id = first; id <= last; ++id) {
    EXPECT_EQ(got.events[id - first].first, id);
    EXPECT_EQ(got.events[id - first].second, text_of(id));
  }
}

// An HTTP client's counters: everything it read is counted once as header, framing or payload; everything it
// sent as header.
inline void expect_counters_match_the_wire(Loop& loop, const ClientWireCounters& c,
                                           const RecordingEvents& got) {
  EXPECT_EQ(c.bytes_down(), loop.counters().bytes_in);
  EXPECT_EQ(c.bytes_up(), loop.counters().bytes_out);
  EXPECT_EQ(c.header_bytes_up, c.bytes_up());
  std::uint64_t payload = 0;
  for (const auto& e : got.events) payload += e.second.size();
  EXPECT_EQ(c.payload_bytes_down, payload);
  EXPECT_EQ(c.events, got.events.size());
}

}  // namespace rtb::test
