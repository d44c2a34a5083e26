// Event: one published message {channel, id, data}, with the wire encodings every subscriber shares.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "transports/net/shared_buffer.hpp"

namespace rtb {

// Each transport that pushes events encodes an event once, into a slot of its own (transports/common hands
// the slots out), and every subscriber of that transport queues the same buffer.
using EncodingSlot = std::uint8_t;
inline constexpr std::size_t kMaxEncodings = 4;

struct Event {
  std::uint64_t id = 0;
  std::uint64_t published_ns = 0;  // server clock, for /stats only; latency is measured by the load generator
  SharedBuffer data;
  mutable std::array<SharedBuffer, kMaxEncodings> encoded;

  std::string_view text() const { return data.view(); }
  // The encoding in `slot`, built by `encode(event)` the first time any subscriber asks for it.
  template <typename Encoder>
  const SharedBuffer& encoded_as(EncodingSlot slot_index, Encoder&& encode) const {
    SharedBuffer& slot = encoded[slot_index];
    if (!slot) slot = encode(*this);
    return slot;
  }
};

}  // namespace rtb
