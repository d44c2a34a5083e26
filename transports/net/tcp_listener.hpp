// TcpListener: a listening socket that hands each accepted connection to a factory, with a connection cap.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <string>

#include "transports/net/loop.hpp"
#include "transports/net/tcp_connection.hpp"
#include "transports/net/uv_handle.hpp"

namespace rtb {

struct ListenerConfig {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0 picks a free port (tests)
  int backlog = 4096;
  std::uint64_t max_connections = 0;  // 0: no cap of our own
  // SO_REUSEPORT: several processes listen on the same port and the kernel spreads connections over them
  // (`serve --workers N`; transports/net/listen_socket.hpp).
  bool reuse_port = false;
  StreamLimits connection_limits;
};

class TcpListener {
 public:
  // Called with a connection that is accepted and not yet reading; it must set a handler and start reading.
  using AcceptFn = std::function<void(TcpConnection&)>;
  // Called instead when the cap is reached: it owns the connection as on_accept would, and must answer and
  // close it. Without one, a connection over the cap is closed at once.
  using RefuseFn = std::function<void(TcpConnection&)>;

  TcpListener(Loop& loop, ListenerConfig config, AcceptFn on_accept, RefuseFn on_refuse = {});
  ~TcpListener();
  TcpListener(const TcpListener&) = delete;
  TcpListener& operator=(const TcpListener&) = delete;

  // Returns 0 or a libuv error code (for example UV_EADDRINUSE).
  int listen();
  void close();
  int bound_port() const;
  std::uint64_t accept_errors() const { return accept_errors_; }
  std::uint64_t refused() const { return refused_; }

 private:
  void on_readable();
  void shed_pending();

  Loop& loop_;
  ListenerConfig config_;
  AcceptFn on_accept_;
  RefuseFn on_refuse_;
  // The listening socket, accepted from here (accept4) so that connections are born as plain descriptors
  // for TcpConnection; libuv only says when it is readable.
  int fd_ = -1;
  UvHandle<uv_poll_t> poll_;
  std::uint64_t accept_errors_ = 0;
  std::uint64_t refused_ = 0;
};

}  // namespace rtb
