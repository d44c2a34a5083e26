// WebSocket wire vocabulary (RFC 6455 section 5): opcodes, close codes and framing limits shared by the
// encoder, the reader and both session ends.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rtb {

enum class WsOpcode : std::uint8_t {
  kContinuation = 0,
  kText = 1,
  kBinary = 2,
  kClose = 8,
  kPing = 9,
  kPong = 10,
};

namespace ws_close {
constexpr std::uint16_t kNormal = 1000;
constexpr std::uint16_t kGoingAway = 1001;
constexpr std::uint16_t kProtocolError = 1002;
constexpr std::uint16_t kUnsupportedData = 1003;
// 1005 and 1006 are for reporting only: they must never appear in a close frame on the wire.
constexpr std::uint16_t kNoStatus = 1005;
constexpr std::uint16_t kAbnormal = 1006;
constexpr std::uint16_t kInvalidPayload = 1007;
constexpr std::uint16_t kPolicyViolation = 1008;
constexpr std::uint16_t kMessageTooBig = 1009;
constexpr std::uint16_t kMandatoryExtension = 1010;
constexpr std::uint16_t kInternalError = 1011;
constexpr std::uint16_t kServiceRestart = 1012;  // IANA registry
}  // namespace ws_close

// A frame header is 2 bytes, plus 2 or 8 bytes of extended length, plus a 4-byte masking key.
constexpr std::size_t kWsMaxHeaderBytes = 14;
// Control frames carry at most 125 bytes (RFC 6455 5.5), so a close reason is at most 123 bytes.
constexpr std::size_t kWsMaxControlPayload = 125;

// A whole header's size (2 to 14 bytes), told by its second byte: the mask bit and the 7-bit length.
constexpr std::size_t ws_header_size_of(std::uint8_t second_byte) {
  const std::uint8_t len7 = second_byte & 0x7F;
  return 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + ((second_byte & 0x80) != 0 ? 4 : 0);
}

// The payload length a whole header declares, in the form it is written in (minimal or not).
constexpr std::uint64_t ws_declared_payload_length(const std::uint8_t* header) {
  const std::uint8_t len7 = header[1] & 0x7F;
  if (len7 < 126) return len7;
  if (len7 == 126) return (std::uint64_t{header[2]} << 8) | header[3];
  std::uint64_t len = 0;
  for (int i = 0; i < 8; ++i) len = (len << 8) | header[2 + i];
  return len;
}

constexpr bool ws_opcode_is_control(WsOpcode op) {
  return (static_cast<std::uint8_t>(op) & 0x08) != 0;
}

// Whether a peer may send this code in a close frame (RFC 6455 7.4 plus the IANA registry, which added
// 1012-1014); 3000-4999 are for libraries and applications.
constexpr bool ws_close_code_is_valid_on_wire(std::uint16_t code) {
  if (code >= 1000 && code <= 1003) return true;
  if (code >= 1007 && code <= 1014) return true;
  return code >= 3000 && code <= 4999;
}

}  // namespace rtb
