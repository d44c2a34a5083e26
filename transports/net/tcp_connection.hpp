// TcpConnection: one TCP socket as a byte stream with a bounded, coalescing, zero-copy write queue.
#pragma once

#include <uv.h>

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "transports/net/loop.hpp"
#include "transports/net/shared_buffer.hpp"

namespace rtb {

enum class WriteResult {
  kOk,            // queued, below the high watermark
  kBackpressure,  // queued, but the peer is slow: stop producing until on_stream_drained()
  kDropped,       // not queued: the queue limit would be exceeded or the connection is closing
};

// The protocol layer above the stream (HTTP, then WebSocket). This seam is where a TLS filter will sit.
class StreamHandler {
 public:
  virtual ~StreamHandler() = default;
  // Bytes are only valid during the call; the buffer is mutable so WebSocket can unmask in place.
  virtual void on_stream_data(char* data, std::size_t len) = 0;
  // The peer closed its sending side. Default: close.
  virtual void on_stream_eof();
  // Client connections only: the connect finished (status 0) or failed (libuv error code).
  virtual void on_stream_connected(int status) { (void)status; }
  // The write queue fell back under the low watermark after kBackpressure.
  virtual void on_stream_drained() {}
  // Last call before the connection and this handler are freed.
  virtual void on_stream_closed() {}

  class TcpConnection* connection = nullptr;
};

struct TcpLimits {
  std::size_t max_queued_bytes = 4 * 1024 * 1024;  // hard limit: writes past it are refused (kDropped)
  std::size_t high_watermark = 256 * 1024;         // kBackpressure from here
  // A peer that never reads would hold a closing connection (its descriptor and queued bytes) forever: after
  // this long close_after_writes() gives up on the unsent bytes and closes. 0: wait for ever.
  std::uint32_t close_linger_ms = 10'000;
};

class TcpConnection {
 public:
  // The connection owns itself from creation until its close callback, which frees it and its handler.
  static TcpConnection* create(Loop& loop, TcpLimits limits);
  struct PrivateTag {};
  TcpConnection(PrivateTag, Loop& loop, TcpLimits limits);
  ~TcpConnection();
  TcpConnection(const TcpConnection&) = delete;
  TcpConnection& operator=(const TcpConnection&) = delete;

  int accept_from(uv_stream_t* server);
  // Adopts a connected socket made elsewhere (one end of a socketpair in the fuzzer); on success the
  // connection owns the descriptor and closes it, on failure the caller still does.
  int open_socket(uv_os_sock_t fd);
  int connect_to(const sockaddr* peer, const sockaddr* bind_source = nullptr);
  void set_handler(std::unique_ptr<StreamHandler> handler);
  StreamHandler* handler() const { return handler_.get(); }

  int start_reading();
  void stop_reading();
  bool reading() const { return reading_; }

  WriteResult write(SharedBuffer bytes);
  WriteResult write_copy(std::string_view bytes);
  std::size_t queued_bytes() const { return queued_bytes_; }
  const TcpLimits& limits() const { return limits_; }

  // Closes at once; queued bytes are discarded.
  void close();
  // Stops reading, sends what is queued, then closes (at the latest after limits().close_linger_ms).
  void close_after_writes();
  bool closing() const { return closing_ || close_when_drained_; }

  Loop& loop() { return loop_; }
  uv_tcp_t* handle() { return &tcp_; }
  int fd() const;

 private:
  friend class Loop;
  struct WriteRequest;

  void flush();
  void on_write_done(WriteRequest* request, int status);
  void on_read(ssize_t nread, const uv_buf_t* buf);
  void on_closed();
  void after_bytes_left_queue(std::size_t n);
  static void on_linger_timeout(TimerEntry& entry);

  uv_tcp_t tcp_;
  Loop& loop_;
  TcpLimits limits_;
  std::unique_ptr<StreamHandler> handler_;
  std::vector<SharedBuffer> pending_;  // not yet handed to the kernel
  std::size_t queued_bytes_ = 0;       // pending_ plus bytes inside in-flight uv_write requests
  TcpConnection* flush_next_ = nullptr;
  uv_connect_t* connect_req_ = nullptr;
  std::unique_ptr<TimerEntry> linger_;  // only while a close waits for a queue to drain: most never need one
  bool flush_scheduled_ = false;
  bool reading_ = false;
  bool closing_ = false;
  bool close_when_drained_ = false;
  bool above_high_watermark_ = false;
  bool counted_open_ = false;
};

}  // namespace rtb
