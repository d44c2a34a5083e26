#include "transports/websocket/ws_masking.hpp"

#include <cstring>

namespace rtb {

void ws_apply_mask(char* data, std::size_t len, const std::uint8_t key[4], std::size_t key_offset) {
  // Rotate the key so that byte i of `data` pairs with rotated[i % 4]; the rest no longer needs the offset.
  std::uint8_t rotated[8];
  for (std::size_t i = 0; i < 8; ++i) rotated[i] = key[(i + key_offset) & 3];
  std::uint64_t word_key;
  std::memcpy(&word_key, rotated, sizeof word_key);

  std::size_t i = 0;
  // memcpy in and out keeps unaligned access defined; compilers turn it into a plain 64-bit load and store.
  for (; i + 8 <= len; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, data + i, sizeof word);
    word ^= word_key;
    std::memcpy(data + i, &word, sizeof word);
  }
  for (; i < len; ++i) data[i] = static_cast<char>(static_cast<std::uint8_t>(data[i]) ^ rotated[i & 3]);
}

}  // namespace rtb
