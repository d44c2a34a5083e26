// TcpConnection: one TCP socket as a Stream with a bounded, coalescing, zero-copy write queue.
#pragma once

#include <uv.h>

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "transports/net/loop.hpp"
#include "transports/net/shared_buffer.hpp"
#include "transports/net/stream.hpp"

namespace rtb {

class SocketPoller;

// The socket is read and written here (read, writev, connect) and watched through the loop's SocketPoller,
// not through a uv_tcp_t: a connection is its descriptor, its queue and its handler, ~100 bytes.
class TcpConnection final : public Stream {
 public:
  // The connection owns itself from creation until the loop phase after its close, which frees it and its
  // handler (SocketPoller::reap).
  static TcpConnection* create(Loop& loop, StreamLimits limits);
  struct PrivateTag {};
  TcpConnection(PrivateTag, Loop& loop, StreamLimits limits);
  ~TcpConnection() override;
  TcpConnection(const TcpConnection&) = delete;
  TcpConnection& operator=(const TcpConnection&) = delete;

  // Adopts a connected socket (an accepted one, or one end of a socketpair in the fuzzer) and makes it
  // non-blocking; on success the connection owns the descriptor and closes it, on failure the caller still
  // does.
  int open_socket(int fd);
  // Starts a non-blocking connect; the handler hears on_stream_connected(status) from the loop, never from
  // inside this call. Bytes written before it completes are sent after it.
  int connect_to(const sockaddr* peer, const sockaddr* bind_source = nullptr);
  void set_handler(std::unique_ptr<StreamHandler> handler) override;
  StreamHandler* handler() const override { return handler_.get(); }

  int start_reading() override;
  void stop_reading() override;
  bool reading() const { return reading_; }

  WriteResult write(SharedBuffer bytes) override;
  WriteResult write_copy(std::string_view bytes) override;
  std::size_t queued_bytes() const override { return queued_bytes_; }
  const StreamLimits& limits() const override { return *limits_; }

  // Closes at once; queued bytes are discarded.
  void close() override;
  // Stops reading, sends what is queued, then closes (at the latest after limits().close_linger_ms).
  void close_after_writes() override;
  bool closing() const override { return closing_ || close_when_drained_; }

  Loop& loop() override { return *loop_; }
  int fd() const override { return fd_; }

 private:
  friend class Loop;
  friend class SocketPoller;

  // A socket bound to `source` and a port of the loop's SourcePorts.
  int bind_to_source(const sockaddr* source);
  void take_descriptor(int fd);
  int update_interest(bool rearm = false);
  void on_socket_ready(std::uint32_t events);
  void finish_connect();
  void read_input(bool to_the_end);
  void flush();
  void on_closed();
  void after_bytes_left_queue(std::size_t n);
  static void on_linger_timeout(TimerEntry& entry);
  // What only some connections need for a while: made on first use, so an accepted connection that is
  // never closed with bytes still queued has none.
  struct Occasional;
  Occasional& occasional();

  Loop* loop_;
  const StreamLimits* limits_;  // interned in the loop
  std::unique_ptr<StreamHandler> handler_;
  std::vector<SharedBuffer> pending_;    // not yet written; the first may be partly written (head_written_)
  std::size_t queued_bytes_ = 0;         // what pending_ still holds for the kernel
  TcpConnection* flush_next_ = nullptr;  // the loop's flush list; after close, the poller's closed list
  std::unique_ptr<Occasional> occasional_;
  std::size_t head_written_ = 0;  // bytes of pending_.front() already written
  int fd_ = -1;
  std::uint32_t interest_ = 0;  // the epoll events the poller waits for on fd_
  bool flush_scheduled_ = false;
  bool reading_ = false;
  bool closing_ = false;
  bool close_when_drained_ = false;
  bool above_high_watermark_ = false;
  bool counted_open_ = false;
  bool write_blocked_ = false;  // the kernel's buffer is full: flush again when the socket is writable
  bool connecting_ = false;
};

}  // namespace rtb
