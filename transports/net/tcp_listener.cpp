#include "transports/net/tcp_listener.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "transports/net/listen_socket.hpp"

namespace rtb {
namespace {

// Accepts per readiness report: the backlog of a connection storm is taken over several loop turns, between
// which the accepted connections are read.
constexpr int kMaxAcceptsPerTurn = 128;

// A descriptor kept in reserve for shedding connections when the process has no other (see shed_pending),
// opened by the first listener, while descriptors are still to be had.
int& spare_descriptor() {
  static int spare = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  return spare;
}

}  // namespace

TcpListener::TcpListener(Loop& loop, ListenerConfig config, AcceptFn on_accept, RefuseFn on_refuse)
    : loop_(loop),
      config_(std::move(config)),
      on_accept_(std::move(on_accept)),
      on_refuse_(std::move(on_refuse)) {}

TcpListener::~TcpListener() {
  close();
}

int TcpListener::listen() {
  if (fd_ >= 0) return UV_EBUSY;
  spare_descriptor();
  const int fd = bind_tcp_socket(config_.host, config_.port, config_.reuse_port);
  if (fd < 0) return fd;
  if (::listen(fd, config_.backlog) != 0) {
    const int rc = uv_translate_sys_error(errno);
    ::close(fd);
    return rc;
  }
  if (int rc = uv_poll_init(loop_.get(), poll_.get(), fd); rc != 0) {
    ::close(fd);
    return rc;
  }
  poll_.set_initialised();
  poll_->data = this;
  fd_ = fd;
  return uv_poll_start(poll_.get(), UV_READABLE, [](uv_poll_t* h, int, int) {
    if (h->data != nullptr) static_cast<TcpListener*>(h->data)->on_readable();
  });
}

void TcpListener::close() {
  poll_.close();  // stops watching the descriptor before it is closed
  if (fd_ >= 0) ::close(std::exchange(fd_, -1));
}

int TcpListener::bound_port() const {
  if (fd_ < 0) return -1;
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return -1;
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
}

void TcpListener::shed_pending() {
  // Out of descriptors: the pending connections would keep the socket readable and the loop spinning. A
  // spare descriptor is given up to accept and close them (libuv's trick), then taken again.
  int& spare = spare_descriptor();
  if (spare < 0) return;
  ::close(spare);
  for (;;) {
    const int fd = ::accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) break;
    ::close(fd);
  }
  spare = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
}

void TcpListener::on_readable() {
  for (int i = 0; i < kMaxAcceptsPerTurn && fd_ >= 0; ++i) {
    const int fd = ::accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      if (errno == EINTR || errno == ECONNABORTED) continue;
      ++accept_errors_;
      if (errno == EMFILE || errno == ENFILE) shed_pending();
      return;
    }
    TcpConnection* connection = TcpConnection::create(loop_, config_.connection_limits);
    if (connection->open_socket(fd) != 0) {
      ++accept_errors_;
      ::close(fd);
      connection->close();
      continue;
    }
    // The new connection is already counted as open, hence '>'.
    if (config_.max_connections != 0 && loop_.counters().connections_open > config_.max_connections) {
      ++refused_;
      if (on_refuse_) {
        on_refuse_(*connection);
      } else {
        connection->close();
      }
      continue;
    }
    on_accept_(*connection);
  }
}

}  // namespace rtb
