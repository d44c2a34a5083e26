// Event: one published message {channel, id, data}, with the wire encodings every subscriber shares.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "transports/net/shared_buffer.hpp"

namespace rtb {

// Each transport that pushes an event encodes it once into its slot; every subscriber then queues that
// buffer.
enum class WireEncoding : std::uint8_t { kSseRecord = 0, kWsTextFrame = 1, kCount = 2 };

struct Event {
  std::uint64_t id = 0;
  std::uint64_t published_ns = 0;  // server clock, for /stats only; latency is measured by the load generator
  SharedBuffer data;
  mutable std::array<SharedBuffer, static_cast<std::size_t>(WireEncoding::kCount)> encoded;

  std::string_view text() const { return data.view(); }
  // The encoding for `kind`, built by `encode(event)` the first time any subscriber asks for it.
  template <typename Encoder>
  const SharedBuffer& encoded_as(WireEncoding kind, Encoder&& encode) const {
    SharedBuffer& slot = encoded[static_cast<std::size_t>(kind)];
    if (!slot) slot = encode(*this);
    return slot;
  }
};

}  // namespace rtb
