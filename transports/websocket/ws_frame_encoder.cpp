#include "transports/websocket/ws_frame_encoder.hpp"

#include <cstring>

#include "transports/websocket/ws_masking.hpp"

namespace rtb {

std::size_t ws_encode_frame_header(std::uint8_t* out, WsOpcode op, bool fin, std::uint64_t payload_len,
                                   const std::uint8_t* mask_key) {
  return ws_encode_raw_frame_header(
      out, static_cast<std::uint8_t>((fin ? 0x80 : 0x00) | static_cast<std::uint8_t>(op)), payload_len,
      mask_key);
}

std::size_t ws_encode_raw_frame_header(std::uint8_t* out, std::uint8_t first_byte, std::uint64_t payload_len,
                                       const std::uint8_t* mask_key, WsLengthForm form) {
  out[0] = first_byte;
  const std::uint8_t mask_bit = mask_key != nullptr ? 0x80 : 0x00;
  if (form == WsLengthForm::kShortest) {
    form = payload_len < 126       ? WsLengthForm::kShortest
           : payload_len <= 0xFFFF ? WsLengthForm::k16Bit
                                   : WsLengthForm::k64Bit;
  }
  std::size_t n = 2;
  if (form == WsLengthForm::kShortest) {
    out[1] = static_cast<std::uint8_t>(mask_bit | payload_len);
  } else if (form == WsLengthForm::k16Bit) {
    out[1] = mask_bit | 126;
    out[2] = static_cast<std::uint8_t>(payload_len >> 8);
    out[3] = static_cast<std::uint8_t>(payload_len);
    n = 4;
  } else {
    out[1] = mask_bit | 127;
    for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<std::uint8_t>(payload_len >> (56 - 8 * i));
    n = 10;
  }
  if (mask_key != nullptr) {
    std::memcpy(out + n, mask_key, 4);
    n += 4;
  }
  return n;
}

SharedBuffer ws_encode_server_frame(WsOpcode op, std::string_view payload, bool fin) {
  const std::size_t header = ws_frame_header_size(payload.size(), false);
  SharedBuffer out = SharedBuffer::allocate(header + payload.size());
  ws_encode_frame_header(reinterpret_cast<std::uint8_t*>(out.data()), op, fin, payload.size(), nullptr);
  if (!payload.empty()) std::memcpy(out.data() + header, payload.data(), payload.size());
  return out;
}

SharedBuffer ws_encode_server_frame_parts(WsOpcode op, std::string_view prefix, std::string_view payload) {
  const std::size_t len = prefix.size() + payload.size();
  const std::size_t header = ws_frame_header_size(len, false);
  SharedBuffer out = SharedBuffer::allocate(header + len);
  ws_encode_frame_header(reinterpret_cast<std::uint8_t*>(out.data()), op, true, len, nullptr);
  char* p = out.data() + header;
  if (!prefix.empty()) std::memcpy(p, prefix.data(), prefix.size());
  if (!payload.empty()) std::memcpy(p + prefix.size(), payload.data(), payload.size());
  return out;
}

SharedBuffer ws_encode_client_frame(WsOpcode op, std::string_view payload, const std::uint8_t mask_key[4]) {
  const std::size_t header = ws_frame_header_size(payload.size(), true);
  // Header, key and masked payload in one allocation, masked in place.
  SharedBuffer out = SharedBuffer::allocate(header + payload.size());
  ws_encode_frame_header(reinterpret_cast<std::uint8_t*>(out.data()), op, true, payload.size(), mask_key);
  if (!payload.empty()) {
    std::memcpy(out.data() + header, payload.data(), payload.size());
    ws_apply_mask(out.data() + header, payload.size(), mask_key, 0);
  }
  return out;
}

void ws_append_client_frame(std::string& out, WsOpcode op, std::string_view payload,
                            const std::uint8_t mask_key[4], bool fin) {
  std::uint8_t header[kWsMaxHeaderBytes];
  const std::size_t n = ws_encode_frame_header(header, op, fin, payload.size(), mask_key);
  const std::size_t start = out.size();
  out.reserve(start + n + payload.size());
  out.append(reinterpret_cast<const char*>(header), n);
  out.append(payload);
  ws_apply_mask(out.data() + start + n, payload.size(), mask_key, 0);
}

namespace {

std::string_view fit_close_reason(std::string_view reason) {
  constexpr std::size_t kMaxReason = kWsMaxControlPayload - 2;
  if (reason.size() <= kMaxReason) return reason;
  // Cutting inside a multibyte sequence would make the peer fail the connection with 1007.
  std::size_t cut = kMaxReason;
  while (cut > 0 && (static_cast<std::uint8_t>(reason[cut]) & 0xC0) == 0x80) --cut;
  return reason.substr(0, cut);
}

}  // namespace

std::string ws_close_payload(std::uint16_t code, std::string_view reason) {
  std::string out;
  if (code == 0) return out;
  reason = fit_close_reason(reason);
  out.reserve(2 + reason.size());
  out.push_back(static_cast<char>(code >> 8));
  out.push_back(static_cast<char>(code & 0xFF));
  out.append(reason);
  return out;
}

SharedBuffer ws_encode_close_frame(std::uint16_t code, std::string_view reason) {
  if (code == 0) return ws_encode_server_frame(WsOpcode::kClose, {});
  const char code_bytes[2] = {static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
  return ws_encode_server_frame_parts(WsOpcode::kClose, {code_bytes, 2}, fit_close_reason(reason));
}

void ws_append_client_close_frame(std::string& out, std::uint16_t code, std::string_view reason,
                                  const std::uint8_t mask_key[4]) {
  ws_append_client_frame(out, WsOpcode::kClose, ws_close_payload(code, reason), mask_key);
}

}  // namespace rtb
