// WsRandom: the small per-client generator behind handshake keys and masking keys (RFC 6455 5.3 asks for a
// fresh, unpredictable key per frame; a load generator with thousands of clients needs it to cost 8 bytes,
// not 2.5 KB).
#pragma once

#include <cstdint>
#include <random>

namespace rtb {

// SplitMix64: passes BigCrush, one add and three multiply-xor steps per draw. Not a cryptographic generator:
// masking only has to keep a client from choosing the bytes a proxy sees, and the seed comes from the OS.
class WsRandom {
 public:
  // Seeded from std::random_device (the OS entropy source) once per client.
  WsRandom() : state_(seed_from_os()) {}
  explicit WsRandom(std::uint64_t seed) : state_(seed) {}

  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

  // A masking key.
  void fill_mask(std::uint8_t key[4]) {
    const std::uint64_t r = next();
    for (int i = 0; i < 4; ++i) key[i] = static_cast<std::uint8_t>(r >> (8 * i));
  }

 private:
  static std::uint64_t seed_from_os() {
    std::random_device device;
    return (static_cast<std::uint64_t>(device()) << 32) ^ device();
  }

  std::uint64_t state_;
};

}  // namespace rtb
