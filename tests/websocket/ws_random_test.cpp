#include "transports/websocket/ws_random.hpp"

#include <gtest/gtest.h>

#include <set>

namespace rtb {
namespace {

TEST(WsRandom, SameSeedSameSequenceAndDistinctKeys) {
  WsRandom a(42), b(42), c(43);
  std::set<std::uint32_t> keys;
  for (int i = 0; i < 1000; ++i) {
    const std::uint64_t x = a.next();
    EXPECT_EQ(x, b.next());
    EXPECT_NE(x, c.next());
  }
  for (int i = 0; i < 1000; ++i) {
    std::uint8_t k[4];
    a.fill_mask(k);
    keys.insert(std::uint32_t{k[0]} | std::uint32_t{k[1]} << 8 | std::uint32_t{k[2]} << 16 |
                std::uint32_t{k[3]} << 24);
  }
  EXPECT_EQ(keys.size(), 1000u);                    // a fresh key per frame
  EXPECT_NE(WsRandom().next(), WsRandom().next());  // seeded from the OS, not a constant
}

}  // namespace
}  // namespace rtb
