#include "transports/websocket/ws_reader.hpp"

#include <algorithm>
#include <cstring>

#include "transports/websocket/ws_masking.hpp"

namespace rtb {
namespace {

constexpr std::uint8_t kFinBit = 0x80;
constexpr std::uint8_t kRsvBits = 0x70;
constexpr std::uint8_t kOpcodeBits = 0x0F;
constexpr std::uint8_t kMaskBit = 0x80;
constexpr std::uint8_t kLenBits = 0x7F;

bool opcode_is_known(std::uint8_t op) {
  return op <= 2 || (op >= 8 && op <= 10);
}

}  // namespace

WsReader::WsReader(WsRole role, WsLimits limits, WsReaderEvents& events)
    : role_(role), limits_(limits), events_(&events) {}

void WsReader::reset(WsRole role, WsLimits limits, WsReaderEvents& events) {
  role_ = role;
  limits_ = limits;
  events_ = &events;
  next_frame();  // the header stage; header_ and mask_key_ are written before they are read
  frame_op_ = WsOpcode::kContinuation;
  frame_fin_ = false;
  frame_masked_ = false;
  fragmented_ = false;
  message_op_ = WsOpcode::kText;
  message_bytes_ = 0;
  message_fragments_ = 0;
  utf8_.reset();
  if (message_) message_->clear();
  failed_ = false;
  closed_ = false;
}

void WsReader::release_buffer_above(std::size_t max_capacity) {
  if (message_ && message_->capacity() > max_capacity) message_.reset();
}

bool WsReader::feed(char* data, std::size_t len) {
  if (failed_ || closed_) return false;
  char* p = data;
  char* const end = data + len;
  while (p < end) {
    if (stage_ == Stage::kHeader) {
      const std::size_t take =
          std::min<std::size_t>(header_need_ - header_len_, static_cast<std::size_t>(end - p));
      std::memcpy(header_ + header_len_, p, take);
      header_len_ = static_cast<std::uint8_t>(header_len_ + take);
      p += take;
      if (header_len_ < header_need_) break;
      if (header_len_ == 2) {
        if (!check_base_header()) return false;
        if (header_len_ < header_need_) continue;
      }
      if (!finish_header()) return false;
      const auto available = static_cast<std::uint64_t>(end - p);
      const bool self_contained =
          ws_opcode_is_control(frame_op_) || (frame_fin_ && frame_op_ != WsOpcode::kContinuation);
      if (self_contained && frame_remaining_ <= available) {
        // The common case for small messages: hand out a view into the caller's buffer, no copy.
        const auto n = static_cast<std::size_t>(frame_remaining_);
        if (frame_masked_) ws_apply_mask(p, n, mask_key_, 0);
        std::string_view payload(p, n);
        p += n;
        if (!deliver_whole_frame(payload)) return false;
        next_frame();
        continue;
      }
      stage_ = Stage::kPayload;
      if (frame_remaining_ == 0 && !finish_frame()) return false;
    } else {
      const auto n =
          static_cast<std::size_t>(std::min(frame_remaining_, static_cast<std::uint64_t>(end - p)));
      if (frame_masked_) ws_apply_mask(p, n, mask_key_, static_cast<std::size_t>(frame_offset_ & 3));
      if (!consume_payload(p, n)) return false;
      p += n;
      frame_offset_ += n;
      frame_remaining_ -= n;
      if (frame_remaining_ == 0 && !finish_frame()) return false;
    }
  }
  return true;
}

// Everything that the first two bytes decide, checked before waiting for the rest of the header.
bool WsReader::check_base_header() {
  const std::uint8_t b0 = header_[0];
  const std::uint8_t b1 = header_[1];
  if ((b0 & kRsvBits) != 0) return fail(ws_close::kProtocolError, "reserved bits set without an extension");
  const std::uint8_t op = b0 & kOpcodeBits;
  if (!opcode_is_known(op)) return fail(ws_close::kProtocolError, "reserved opcode");
  frame_op_ = static_cast<WsOpcode>(op);
  frame_fin_ = (b0 & kFinBit) != 0;
  frame_masked_ = (b1 & kMaskBit) != 0;
  const std::uint8_t len7 = b1 & kLenBits;

  if (role_ == WsRole::kServer && !frame_masked_)
    return fail(ws_close::kProtocolError, "client frame not masked");
  if (role_ == WsRole::kClient && frame_masked_) return fail(ws_close::kProtocolError, "server frame masked");

  if (ws_opcode_is_control(frame_op_)) {
    if (!frame_fin_) return fail(ws_close::kProtocolError, "fragmented control frame");
    if (len7 > kWsMaxControlPayload) return fail(ws_close::kProtocolError, "control frame payload too long");
  } else if (frame_op_ == WsOpcode::kContinuation) {
    if (!fragmented_) return fail(ws_close::kProtocolError, "continuation frame without a message");
    if (message_fragments_ >= limits_.max_fragments)
      return fail(ws_close::kMessageTooBig, "too many fragments");
  } else if (fragmented_) {
    return fail(ws_close::kProtocolError, "new message inside a fragmented message");
  }

  header_need_ = static_cast<std::uint8_t>(ws_header_size_of(b1));
  return true;
}

bool WsReader::finish_header() {
  const std::uint8_t len7 = header_[1] & kLenBits;
  const std::uint64_t len = ws_declared_payload_length(header_);
  if (len7 == 126) {
    if (len < 126) return fail(ws_close::kProtocolError, "non-minimal length encoding");
  } else if (len7 == 127) {
    if ((len >> 63) != 0) return fail(ws_close::kProtocolError, "64-bit length with the top bit set");
    if (len <= 0xFFFF) return fail(ws_close::kProtocolError, "non-minimal length encoding");
  }
  if (frame_masked_) std::memcpy(mask_key_, header_ + header_len_ - 4, 4);  // the key ends the header
  frame_remaining_ = len;
  frame_offset_ = 0;

  if (ws_opcode_is_control(frame_op_)) return true;
  // Decided from the header alone, so an oversized message is refused before any of it is buffered.
  if (frame_op_ == WsOpcode::kContinuation) {
    if (len > limits_.max_message_bytes - message_bytes_)
      return fail(ws_close::kMessageTooBig, "message too big");
    message_bytes_ += len;
    ++message_fragments_;
  } else {
    if (len > limits_.max_message_bytes) return fail(ws_close::kMessageTooBig, "message too big");
    message_op_ = frame_op_;
    message_bytes_ = len;
    message_fragments_ = 1;
    utf8_.reset();
  }
  if (!frame_fin_) fragmented_ = true;
  return true;
}

bool WsReader::deliver_whole_frame(std::string_view payload) {
  if (ws_opcode_is_control(frame_op_)) return deliver_control(payload);
  if (message_op_ == WsOpcode::kText && !is_valid_utf8(payload)) {
    return fail(ws_close::kInvalidPayload, "text message is not valid UTF-8");
  }
  deliver_message(payload);
  return true;
}

bool WsReader::consume_payload(const char* data, std::size_t len) {
  if (ws_opcode_is_control(frame_op_)) {
    if (!control_) control_ = std::make_unique<char[]>(kWsMaxControlPayload);
    std::memcpy(control_.get() + control_len_, data, len);
    control_len_ = static_cast<std::uint8_t>(control_len_ + len);
    return true;
  }
  // Validate as the bytes arrive so a bad message is refused before the rest of it is read.
  if (message_op_ == WsOpcode::kText && !utf8_.feed({data, len})) {
    return fail(ws_close::kInvalidPayload, "text message is not valid UTF-8");
  }
  if (!message_) message_ = std::make_unique<std::string>();
  message_->append(data, len);
  return true;
}

bool WsReader::finish_frame() {
  if (ws_opcode_is_control(frame_op_)) {
    if (!deliver_control({control_.get(), control_len_})) return false;
  } else if (frame_fin_) {
    if (message_op_ == WsOpcode::kText && !utf8_.at_boundary()) {
      return fail(ws_close::kInvalidPayload, "text message ends inside a UTF-8 sequence");
    }
    fragmented_ = false;
    // A message that arrived whole in one frame of a later read never made a buffer.
    std::string_view whole = message_ ? std::string_view(*message_) : std::string_view();
    deliver_message(whole);
    if (message_ && message_->capacity() > kKeepCapacity) {
      message_.reset();
    } else if (message_) {
      message_->clear();
    }
  }
  next_frame();
  return true;
}

void WsReader::deliver_message(std::string_view payload) {
  message_bytes_ = 0;
  message_fragments_ = 0;
  events_->on_ws_message(message_op_, payload);
}

bool WsReader::deliver_control(std::string_view payload) {
  switch (frame_op_) {
    case WsOpcode::kPing:
      events_->on_ws_ping(payload);
      return true;
    case WsOpcode::kPong:
      events_->on_ws_pong(payload);
      return true;
    default:
      break;
  }
  // A close frame: empty, or a valid code followed by a UTF-8 reason (RFC 6455 5.5.1).
  if (payload.size() == 1) return fail(ws_close::kProtocolError, "close frame with a 1-byte payload");
  std::uint16_t code = 0;
  std::string_view reason;
  if (payload.size() >= 2) {
    code = static_cast<std::uint16_t>((static_cast<std::uint8_t>(payload[0]) << 8) |
                                      static_cast<std::uint8_t>(payload[1]));
    if (!ws_close_code_is_valid_on_wire(code)) return fail(ws_close::kProtocolError, "invalid close code");
    reason = payload.substr(2);
    if (!is_valid_utf8(reason)) return fail(ws_close::kInvalidPayload, "close reason is not valid UTF-8");
  }
  closed_ = true;
  events_->on_ws_close(code, reason);
  return false;
}

void WsReader::next_frame() {
  stage_ = Stage::kHeader;
  header_len_ = 0;
  header_need_ = 2;
  control_len_ = 0;
  control_.reset();  // a control frame split across reads is rare: its buffer is not kept
  frame_remaining_ = 0;
  frame_offset_ = 0;
}

bool WsReader::fail(std::uint16_t code, std::string_view reason) {
  failed_ = true;
  events_->on_ws_error(code, reason);
  return false;
}

}  // namespace rtb
