#pragma once

#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "transports/net/loop.hpp"
#include "transports/net/uv_handle.hpp"

namespace rtb {

class TcpConnection;

// The loop's TCP connections in an epoll set of their own, which libuv watches through one uv_poll_t: a
// connection then carries its descriptor and the events it waits for (8 bytes) instead of a 248-byte uv_tcp_t
// with its own watcher. Edge-triggered (see TcpConnection::update_interest); a connection is in the set only
// while it waits for something (input while reading, output while a write is blocked or a connect is in
// progress), so a socket nobody reads cannot report its hang-up over and over.
//
// Ownership: connections are created by TcpConnection::create and freed here, by reap(), in a loop phase
// after the one that closed them: an event already fetched for a closed connection in the same batch finds
// it still allocated (and closing, so it is ignored), and its handler hears on_stream_closed() after close()
// has returned, as with uv_close.
class SocketPoller {
 public:
  explicit SocketPoller(Loop& loop);
  ~SocketPoller();
  SocketPoller(const SocketPoller&) = delete;
  SocketPoller& operator=(const SocketPoller&) = delete;

  // A connection exists (from create to its reap): while any does, the poll handle keeps the loop running.
  void count_live(TcpConnection& connection);
  // A descriptor the connection owns from now on (listed for close_all).
  void adopt(TcpConnection& connection, int fd);
  // Makes the set wait for `wanted` (EPOLLIN / EPOLLOUT bits, edge-triggered) on the connection's descriptor;
  // 0 leaves it. Any change, or `rearm`, makes epoll look at the socket again and report what is ready now.
  int watch(TcpConnection& connection, int fd, std::uint32_t registered, std::uint32_t wanted,
            bool rearm = false);
  // The descriptor is about to be closed: out of the set and of the list.
  void forget(int fd, std::uint32_t registered);
  // A closed connection, freed in a later loop phase.
  void reap_later(TcpConnection& connection);

  // Closes every connection still open and frees them all (the loop is going away).
  void close_all();

 private:
  int ensure_epoll();
  void on_ready();
  static void on_reap_task(LoopTask& task);
  void reap();
  void update_ref();

  Loop& loop_;
  int epoll_fd_ = -1;
  UvHandle<uv_poll_t> poll_;
  std::vector<TcpConnection*> by_fd_;  // every descriptor a connection owns, for close_all
  std::size_t live_ = 0;
  bool referenced_ = false;
  TcpConnection* closed_head_ = nullptr;
  LoopTask reap_task_;
};

}  // namespace rtb
