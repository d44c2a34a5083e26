// Stream: a connected byte stream with a bounded write queue, the seam between the protocol layers above
// (HTTP, then WebSocket) and the transport below. TcpStream is plain TCP; TLS is a second Stream that wraps
// it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "transports/net/shared_buffer.hpp"

namespace rtb {

class Loop;
class Stream;

enum class WriteResult {
  kOk,            // queued, below the high watermark
  kBackpressure,  // queued, but the peer is slow: stop producing until on_stream_drained()
  kDropped,       // not queued: the queue limit would be exceeded or the stream is closing
};

struct StreamLimits {
  std::size_t max_queued_bytes = 4 * 1024 * 1024;  // hard limit: writes past it are refused (kDropped)
  std::size_t high_watermark = 256 * 1024;         // kBackpressure from here
  // A peer that never reads would hold a closing stream (its descriptor and queued bytes) forever: after
  // this long close_after_writes() gives up on the unsent bytes and closes. 0: wait for ever.
  std::uint32_t close_linger_ms = 10'000;
};

// The protocol layer above a stream. The stream owns its handler and frees it after on_stream_closed().
class StreamHandler {
 public:
  virtual ~StreamHandler() = default;
  // Bytes are only valid during the call; the buffer is mutable so WebSocket can unmask in place.
  virtual void on_stream_data(char* data, std::size_t len) = 0;
  // The peer closed its sending side. Default: close.
  virtual void on_stream_eof();
  // Client streams only: the connect finished (status 0) or failed (libuv error code).
  virtual void on_stream_connected(int status) { (void)status; }
  // The write queue fell back under the low watermark after kBackpressure.
  virtual void on_stream_drained() {}
  // Last call before the stream and this handler are freed.
  virtual void on_stream_closed() {}

  Stream* stream = nullptr;  // set by Stream::set_handler
};

class Stream {
 public:
  virtual ~Stream() = default;

  virtual void set_handler(std::unique_ptr<StreamHandler> handler) = 0;
  virtual StreamHandler* handler() const = 0;

  virtual int start_reading() = 0;
  virtual void stop_reading() = 0;

  virtual WriteResult write(SharedBuffer bytes) = 0;
  virtual WriteResult write_copy(std::string_view bytes) = 0;
  // Bytes accepted by write() and not yet sent to the peer.
  virtual std::size_t queued_bytes() const = 0;
  virtual const StreamLimits& limits() const = 0;

  // Closes at once; queued bytes are discarded.
  virtual void close() = 0;
  // Stops reading, sends what is queued, then closes (at the latest after limits().close_linger_ms).
  virtual void close_after_writes() = 0;
  virtual bool closing() const = 0;

  virtual Loop& loop() = 0;
  // The socket underneath (per-socket kernel counters); -1 when there is none.
  virtual int fd() const = 0;
};

}  // namespace rtb
