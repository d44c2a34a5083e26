// Encoding of WebSocket frames: server frames as one SharedBuffer that a broadcast queues on every
// subscriber, masked client frames appended to a send buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "transports/net/shared_buffer.hpp"
#include "transports/websocket/ws_frame.hpp"

namespace rtb {

// Bytes the header of a frame with this payload length takes (2..14).
constexpr std::size_t ws_frame_header_size(std::uint64_t payload_len, bool masked) {
  std::size_t n = payload_len < 126 ? 2 : payload_len <= 0xFFFF ? 4 : 10;
  return masked ? n + 4 : n;
}

// Writes the header with the minimal length encoding; returns its size. `out` must hold
// ws_frame_header_size(payload_len, mask_key != nullptr) bytes (kWsMaxHeaderBytes always suffices).
// mask_key == nullptr writes an unmasked header.
std::size_t ws_encode_frame_header(std::uint8_t* out, WsOpcode op, bool fin, std::uint64_t payload_len,
                                   const std::uint8_t* mask_key);

// How a header writes the payload length: the shortest form, which RFC 6455 5.2 asks of every sender, or a
// longer one, which only a test of the reading end has reason to write.
enum class WsLengthForm : std::uint8_t { kShortest, k16Bit, k64Bit };

// ws_encode_frame_header for any first byte (FIN, RSV and opcode bits as given, valid or not) and any length
// form: what the tests' hostile frames are made with. A length too long for the form is cut to its low bits.
std::size_t ws_encode_raw_frame_header(std::uint8_t* out, std::uint8_t first_byte, std::uint64_t payload_len,
                                       const std::uint8_t* mask_key,
                                       WsLengthForm form = WsLengthForm::kShortest);

// An unmasked frame, header and payload in one allocation.
SharedBuffer ws_encode_server_frame(WsOpcode op, std::string_view payload, bool fin = true);

// An unmasked final frame whose payload is prefix followed by payload, e.g. "<id> " + data for a pub/sub
// event, without building the concatenation first.
SharedBuffer ws_encode_server_frame_parts(WsOpcode op, std::string_view prefix, std::string_view payload);

// A masked final frame (clients must mask everything they send), header and payload in one allocation.
SharedBuffer ws_encode_client_frame(WsOpcode op, std::string_view payload, const std::uint8_t mask_key[4]);

// Appends a masked frame (clients must mask everything they send) to `out`.
void ws_append_client_frame(std::string& out, WsOpcode op, std::string_view payload,
                            const std::uint8_t mask_key[4], bool fin = true);

// The payload of a close frame: nothing when code == 0, else the code in network order and the reason cut to
// fit a control frame (123 bytes, never inside a UTF-8 sequence).
std::string ws_close_payload(std::uint16_t code, std::string_view reason = {});

// An unmasked close frame (see ws_close_payload for code 0 and long reasons).
SharedBuffer ws_encode_close_frame(std::uint16_t code, std::string_view reason);

// A masked close frame appended to `out`, for the client end.
void ws_append_client_close_frame(std::string& out, std::uint16_t code, std::string_view reason,
                                  const std::uint8_t mask_key[4]);

}  // namespace rtb
