// XOR masking of WebSocket payloads (RFC 6455 5.3), fast enough to unmask every client byte the server reads.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rtb {

// XORs `len` bytes in place with the 4-byte key. `key_offset` is how many payload bytes of the same frame
// came before `data`, so a payload that arrives in several reads can be unmasked chunk by chunk.
void ws_apply_mask(char* data, std::size_t len, const std::uint8_t key[4], std::size_t key_offset);

}  // namespace rtb
