// Incremental WebSocket frame parser and message assembler: the server and client sessions feed it raw bytes
// as they arrive and receive whole messages, control frames, or the close code to fail the connection with.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "transports/common/utf8_validator.hpp"
#include "transports/websocket/ws_frame.hpp"

namespace rtb {

enum class WsRole : std::uint8_t {
  kServer,  // reads frames sent by clients, which must be masked
  kClient,  // reads frames sent by a server, which must not be masked
};

struct WsLimits {
  std::uint64_t max_message_bytes = 16u << 20;
  std::uint32_t max_fragments = 1024;
};

// Views passed to these callbacks are valid only during the call. A callback must not destroy the reader or
// feed it; it may close the connection (the reader is told to stop by the return value of feed()).
class WsReaderEvents {
 public:
  virtual ~WsReaderEvents() = default;
  // A complete data message (op is kText or kBinary); text has been checked to be valid UTF-8.
  virtual void on_ws_message(WsOpcode op, std::string_view payload) = 0;
  virtual void on_ws_ping(std::string_view payload) = 0;
  virtual void on_ws_pong(std::string_view payload) = 0;
  // A well-formed close frame: code 0 when the frame had no payload.
  virtual void on_ws_close(std::uint16_t code, std::string_view reason) = 0;
  // The peer broke the protocol: fail the connection, sending a close frame with this code.
  virtual void on_ws_error(std::uint16_t close_code, std::string_view reason) = 0;
};

class WsReader {
 public:
  WsReader(WsRole role, WsLimits limits, WsReaderEvents& events);
  WsReader(const WsReader&) = delete;
  WsReader& operator=(const WsReader&) = delete;

  // Consumes bytes; the buffer is mutable because masked payloads are unmasked in place. A frame that lies
  // whole inside `data` is delivered as a view into it, without a copy. Returns false once an error or a
  // close frame has been delivered; after that, stop feeding (later bytes are ignored).
  bool feed(char* data, std::size_t len);

  bool failed() const { return failed_; }
  bool closed() const { return closed_; }
  // Between frames and messages with nothing held: no header byte of the next frame read, no fragmented
  // message or split control frame in progress, and still reading (neither failed nor closed). A reader at
  // rest can be handed to another connection (WsReaderPool) after reset().
  bool at_rest() const {
    return stage_ == Stage::kHeader && header_len_ == 0 && !fragmented_ && !control_ &&
           (!message_ || message_->empty()) && !failed_ && !closed_;
  }
  // Makes the reader what a new one constructed with these arguments would be, except that an (emptied)
  // reassembly buffer is kept for reuse.
  void reset(WsRole role, WsLimits limits, WsReaderEvents& events);
  // Frees the reassembly buffer if it holds more than `max_capacity` bytes of memory.
  void release_buffer_above(std::size_t max_capacity);
  // Bytes held for frames or messages that are not complete yet.
  std::size_t buffered_bytes() const {
    return (stage_ == Stage::kHeader ? header_len_ : 0) + (message_ ? message_->size() : 0) + control_len_;
  }
  // Heap memory the reader keeps between messages (for memory-per-connection accounting).
  std::size_t buffer_capacity() const { return message_ ? message_->capacity() : 0; }

  // Reassembly memory up to this size is kept for the next message; a larger buffer is given back.
  static constexpr std::size_t kKeepCapacity = 64 * 1024;

 private:
  enum class Stage : std::uint8_t { kHeader, kPayload };

  bool check_base_header();
  bool finish_header();
  bool deliver_whole_frame(std::string_view payload);
  bool consume_payload(const char* data, std::size_t len);
  bool finish_frame();
  void deliver_message(std::string_view payload);
  bool deliver_control(std::string_view payload);
  void next_frame();
  bool fail(std::uint16_t code, std::string_view reason);

  WsRole role_;
  WsLimits limits_;
  WsReaderEvents* events_;  // a pointer, not a reference: reset() points a pooled reader at its next session

  Stage stage_ = Stage::kHeader;
  std::uint8_t header_[kWsMaxHeaderBytes] = {};
  std::uint8_t header_len_ = 0;
  std::uint8_t header_need_ = 2;

  // The frame being read.
  WsOpcode frame_op_ = WsOpcode::kContinuation;
  bool frame_fin_ = false;
  bool frame_masked_ = false;
  std::uint8_t mask_key_[4] = {};
  std::uint64_t frame_remaining_ = 0;
  std::uint64_t frame_offset_ = 0;

  // The data message being assembled (one frame or several fragments).
  bool fragmented_ = false;
  WsOpcode message_op_ = WsOpcode::kText;
  std::uint64_t message_bytes_ = 0;
  std::uint32_t message_fragments_ = 0;
  Utf8Validator utf8_;
  // Made on the first message that spans reads or frames: a connection whose messages each arrive whole in
  // one read (a subscriber's pongs) never has one.
  std::unique_ptr<std::string> message_;

  // A control frame split across reads; it can arrive between fragments, so it cannot share message_.
  std::unique_ptr<char[]> control_;
  std::uint8_t control_len_ = 0;

  bool failed_ = false;
  bool closed_ = false;
};

}  // namespace rtb
