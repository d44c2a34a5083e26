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

class TcpConnection final : public Stream {
 public:
  // The connection owns itself from creation until its close callback, which frees it and its handler.
  static TcpConnection* create(Loop& loop, StreamLimits limits);
  struct PrivateTag {};
  TcpConnection(PrivateTag, Loop& loop, StreamLimits limits);
  ~TcpConnection() override;
  TcpConnection(const TcpConnection&) = delete;
  TcpConnection& operator=(const TcpConnection&) = delete;

  int accept_from(uv_stream_t* server);
  // Adopts a connected socket made elsewhere (one end of a socketpair in the fuzzer); on success the
  // connection owns the descriptor and closes it, on failure the caller still does.
  int open_socket(uv_os_sock_t fd);
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

  Loop& loop() override { return Loop::from(tcp_.loop); }
  uv_tcp_t* handle() { return &tcp_; }
  int fd() const override;

 private:
  // A socket bound to `source` and a port of the loop's SourcePorts, adopted by tcp_.
  int bind_to_source(const sockaddr* source);
  friend class Loop;
  struct WriteRequest;

  void flush();
  void on_write_done(WriteRequest* request, int status);
  void on_read(ssize_t nread, const uv_buf_t* buf);
  void on_closed();
  void after_bytes_left_queue(std::size_t n);
  static void on_linger_timeout(TimerEntry& entry);
  // What only some connections need for a while: made on first use, so an accepted connection that is
  // never closed with bytes still queued has none.
  struct Occasional;
  Occasional& occasional();

  uv_tcp_t tcp_;
  const StreamLimits* limits_;  // interned in the loop
  std::unique_ptr<StreamHandler> handler_;
  std::vector<SharedBuffer> pending_;  // not yet handed to the kernel
  std::size_t queued_bytes_ = 0;       // pending_ plus bytes inside in-flight uv_write requests
  TcpConnection* flush_next_ = nullptr;
  std::unique_ptr<Occasional> occasional_;
  bool flush_scheduled_ = false;
  bool reading_ = false;
  bool closing_ = false;
  bool close_when_drained_ = false;
  bool above_high_watermark_ = false;
  bool counted_open_ = false;
};

}  // namespace rtb
