// Helpers shared by the WebSocket codec tests: byte-vector literals and a naive frame builder that does not
// use the encoder under test.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace rtb::ws_test {

// The masking key of the RFC 6455 5.7 examples.
// First-byte values (FIN bit | opcode) for frames built by hand.
inline constexpr std::uint8_t kFin = 0x80;
inline constexpr std::uint8_t kCont = 0x00;
inline constexpr std::uint8_t kText = 0x01;
inline constexpr std::uint8_t kBinary = 0x02;
inline constexpr std::uint8_t kClose = 0x08;
inline constexpr std::uint8_t kPing = 0x09;
inline constexpr std::uint8_t kPong = 0x0A;

inline constexpr std::uint8_t kRfcKey[4] = {0x37, 0xfa, 0x21, 0x3d};

inline std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out.push_back(static_cast<char>(v));
  return out;
}

inline std::string naive_mask(std::string_view payload, const std::uint8_t key[4], std::size_t offset = 0) {
  std::string out(payload);
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<char>(static_cast<std::uint8_t>(out[i]) ^ key[(i + offset) % 4]);
  }
  return out;
}

// A frame with first byte b0 (FIN/RSV/opcode), minimal length encoding, masked with kRfcKey when `masked`.
inline std::string raw_frame(std::uint8_t b0, std::string_view payload, bool masked) {
  std::string out;
  out.push_back(static_cast<char>(b0));
  const std::uint8_t mask_bit = masked ? 0x80 : 0x00;
  const std::uint64_t len = payload.size();
  if (len < 126) {
    out.push_back(static_cast<char>(mask_bit | len));
  } else if (len <= 0xFFFF) {
    out.push_back(static_cast<char>(mask_bit | 126));
    out.push_back(static_cast<char>(len >> 8));
    out.push_back(static_cast<char>(len & 0xFF));
  } else {
    out.push_back(static_cast<char>(mask_bit | 127));
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((len >> shift) & 0xFF));
  }
  if (masked) {
    out.append(reinterpret_cast<const char*>(kRfcKey), 4);
    out.append(naive_mask(payload, kRfcKey));
  } else {
    out.append(payload);
  }
  return out;
}

// Hex dump for readable assertion failures on binary strings.
inline std::string hex(std::string_view s) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    if (!out.empty()) out.push_back(' ');
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

}  // namespace rtb::ws_test
