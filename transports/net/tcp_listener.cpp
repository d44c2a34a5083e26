#include "transports/net/tcp_listener.hpp"

#include "transports/net/reuseport_socket.hpp"

#include <unistd.h>

#include <cstring>

namespace rtb {

TcpListener::TcpListener(Loop& loop, ListenerConfig config, AcceptFn on_accept, RefuseFn on_refuse)
    : loop_(loop),
      config_(std::move(config)),
      on_accept_(std::move(on_accept)),
      on_refuse_(std::move(on_refuse)) {
  uv_tcp_init(loop.get(), handle_.get());
  handle_.set_initialised();
  handle_->data = this;
}

int TcpListener::listen() {
  sockaddr_storage addr{};
  int rc = uv_ip4_addr(config_.host.c_str(), config_.port, reinterpret_cast<sockaddr_in*>(&addr));
  if (rc != 0) rc = uv_ip6_addr(config_.host.c_str(), config_.port, reinterpret_cast<sockaddr_in6*>(&addr));
  if (rc != 0) return rc;
  if (config_.reuse_port) {
    const int fd = bind_reuseport_socket(config_.host, config_.port);
    if (fd < 0) return fd;
    // libuv owns the descriptor from here and closes it with the handle.
    rc = uv_tcp_open(handle_.get(), fd);
    if (rc != 0) ::close(fd);
  } else {
    rc = uv_tcp_bind(handle_.get(), reinterpret_cast<const sockaddr*>(&addr), 0);
  }
  if (rc != 0) return rc;
  return uv_listen(reinterpret_cast<uv_stream_t*>(handle_.get()), config_.backlog,
                   [](uv_stream_t* s, int status) {
                     if (s->data != nullptr) static_cast<TcpListener*>(s->data)->on_connection(status);
                   });
}

int TcpListener::bound_port() const {
  sockaddr_storage addr{};
  int len = sizeof(addr);
  if (uv_tcp_getsockname(handle_.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) return -1;
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
}

void TcpListener::on_connection(int status) {
  if (status != 0) {
    // EMFILE/ENFILE: libuv's reserve-fd trick has already accepted and closed the pending connections, so
    // this callback does not spin; we only count it.
    ++accept_errors_;
    return;
  }
  TcpConnection* connection = TcpConnection::create(loop_, config_.connection_limits);
  if (connection->accept_from(reinterpret_cast<uv_stream_t*>(handle_.get())) != 0) {
    ++accept_errors_;
    connection->close();
    return;
  }
  // The new connection is already counted as open, hence '>'.
  if (config_.max_connections != 0 && loop_.counters().connections_open > config_.max_connections) {
    ++refused_;
    if (on_refuse_) {
      on_refuse_(*connection);
    } else {
      connection->close();
    }
    return;
  }
  on_accept_(*connection);
}

}  // namespace rtb
