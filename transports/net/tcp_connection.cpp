#include "transports/net/tcp_connection.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <utility>

#include "transports/net/socket_poller.hpp"

namespace rtb {

void StreamHandler::on_stream_eof() {
  if (stream != nullptr) stream->close();
}

namespace {

constexpr std::size_t kMaxIov = 64;
// Reads per readiness report while each fills the loop's buffer: a fast sender cannot hold the loop, and
// what is left keeps the socket readable for the next turn.
constexpr int kMaxReadsPerTurn = 8;

int last_error() {
  return uv_translate_sys_error(errno);
}

void disable_nagle(int fd) {
  // Fails harmlessly on a Unix-domain socket, which has no Nagle delay to disable.
  const int on = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

const StreamLimits& normalised(Loop& loop, StreamLimits limits) {
  // A producer must hear kBackpressure before kDropped, also when the hard bound is set below the default
  // watermark (--max-queued-bytes 64 KiB): the watermark sits at most halfway to the bound.
  limits.high_watermark = std::min(limits.high_watermark, limits.max_queued_bytes / 2);
  return loop.intern(limits);
}

}  // namespace

struct TcpConnection::Occasional {
  explicit Occasional(TcpConnection* owner) : linger(&TcpConnection::on_linger_timeout, owner) {}
  int connect_error = 0;  // a refusal connect() reported at once, told to the handler from the loop
  TimerEntry linger;      // while a close waits for the queue to drain
};

TcpConnection* TcpConnection::create(Loop& loop, StreamLimits limits) {
  auto owned = std::make_unique<TcpConnection>(PrivateTag{}, loop, limits);
  loop.sockets().count_live(*owned);
  return owned.release();  // freed by the poller's reap after close()
}

TcpConnection::TcpConnection(PrivateTag, Loop& loop, StreamLimits limits)
    : loop_(&loop), limits_(&normalised(loop, limits)) {}

TcpConnection::~TcpConnection() {
  if (fd_ >= 0) {
    loop_->sockets().forget(fd_, interest_);
    ::close(fd_);
  }
  if (counted_open_) --loop_->counters().connections_open;
}

TcpConnection::Occasional& TcpConnection::occasional() {
  if (!occasional_) occasional_ = std::make_unique<Occasional>(this);
  return *occasional_;
}

void TcpConnection::take_descriptor(int fd) {
  fd_ = fd;
  loop_->sockets().adopt(*this, fd);
}

int TcpConnection::open_socket(int fd) {
  if (fd_ >= 0 || closing_) return UV_EBUSY;
  // A socket made elsewhere may block (a socketpair); every read and write here must not.
  int on = 1;
  if (::ioctl(fd, FIONBIO, &on) != 0) return last_error();
  take_descriptor(fd);
  disable_nagle(fd);
  counted_open_ = true;
  ++loop_->counters().connections_open;
  ++loop_->counters().connections_total;
  return 0;
}

int TcpConnection::bind_to_source(const sockaddr* source) {
  // The port comes from the loop's SourcePorts, not from the kernel's search (see source_ports.hpp).
  const int fd = ::socket(source->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return last_error();
  if (int rc = loop_->source_ports().bind(fd, source); rc != 0) {
    ::close(fd);
    return rc;
  }
  take_descriptor(fd);
  return 0;
}

int TcpConnection::connect_to(const sockaddr* peer, const sockaddr* bind_source) {
  if (closing_ || connecting_) return UV_EINVAL;
  if (fd_ < 0) {
    if (bind_source != nullptr) {
      if (int rc = bind_to_source(bind_source); rc != 0) return rc;
    } else {
      const int fd = ::socket(peer->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0) return last_error();
      take_descriptor(fd);
    }
  }
  int rc;
  do {
    rc = ::connect(fd_, peer, address_length(peer));
  } while (rc != 0 && errno == EINTR);
  if (rc != 0 && errno != EINPROGRESS) {
    // As libuv does: a refusal is the connect's outcome, told through the callback; anything else (a bad
    // address, no route) is this call's error.
    if (errno != ECONNREFUSED) return last_error();
    occasional().connect_error = UV_ECONNREFUSED;
  }
  // The socket reports writable when the connect is done either way (an unconnected one at once).
  connecting_ = true;
  return update_interest();
}

void TcpConnection::finish_connect() {
  connecting_ = false;
  int status = occasional_ ? std::exchange(occasional_->connect_error, 0) : 0;
  if (status == 0) {
    int error = 0;
    socklen_t length = sizeof error;
    if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
    status = error == 0 ? 0 : uv_translate_sys_error(error);
  }
  if (status == 0) {
    disable_nagle(fd_);
    counted_open_ = true;
    ++loop_->counters().connections_open;
    ++loop_->counters().connections_total;
    if (!pending_.empty()) loop_->schedule_flush(*this);
  }
  if (update_interest() != 0 && status == 0) status = UV_EIO;
  if (handler_) handler_->on_stream_connected(status);
}

void TcpConnection::set_handler(std::unique_ptr<StreamHandler> handler) {
  handler_ = std::move(handler);
  if (handler_) handler_->stream = this;
}

int TcpConnection::update_interest(bool rearm) {
  if (fd_ < 0) return 0;
  std::uint32_t wanted = 0;
  if (reading_) wanted |= EPOLLIN | EPOLLRDHUP;
  if (write_blocked_ || connecting_) wanted |= EPOLLOUT;
  // Edge-triggered: a socket is reported when something changes, not again on every wait while it stays
  // readable, which spares the kernel a re-check of every reported socket per wake-up. The rules that make
  // that safe: a short read means the socket was drained (new bytes are a new edge), unless the peer's FIN
  // came with them (EPOLLRDHUP: read on to the end, it makes no edge of its own); a read cut short by
  // kMaxReadsPerTurn re-arms; a change of interest (reading resumed, a write blocked) makes epoll look again.
  if (wanted != 0) wanted |= EPOLLET;
  if (closing_) wanted = 0;
  const int rc = loop_->sockets().watch(*this, fd_, interest_, wanted, rearm);
  if (rc == 0) interest_ = wanted;
  return rc;
}

int TcpConnection::start_reading() {
  if (reading_ || closing_) return 0;
  if (fd_ < 0) return UV_ENOTCONN;
  reading_ = true;
  const int rc = update_interest();
  if (rc != 0) reading_ = false;
  return rc;
}

void TcpConnection::stop_reading() {
  if (!reading_) return;
  reading_ = false;
  update_interest();
}

void TcpConnection::on_socket_ready(std::uint32_t events) {
  if (closing_) return;  // closed earlier in this batch
  if (connecting_) {
    finish_connect();
    return;
  }
  // An error or hang-up is reported whatever was asked for; the read or the write names it.
  const bool trouble = (events & (EPOLLERR | EPOLLHUP)) != 0;
  if (write_blocked_ && (trouble || (events & EPOLLOUT) != 0)) {
    write_blocked_ = false;
    flush();
    if (closing_) return;
    if (!write_blocked_) update_interest();
  }
  if (reading_ && (trouble || (events & (EPOLLIN | EPOLLRDHUP)) != 0))
    read_input(trouble || (events & EPOLLRDHUP) != 0);
}

void TcpConnection::read_input(bool to_the_end) {
  for (int i = 0; reading_ && !closing_; ++i) {
    if (i == kMaxReadsPerTurn) {
      // More may be waiting, and no new edge will say so: epoll is asked to report it again.
      if (update_interest(true) != 0) close();
      return;
    }
    const uv_buf_t buffer = loop_->read_buffer();
    const ssize_t n = ::read(fd_, buffer.base, buffer.len);
    if (n > 0) {
      loop_->counters().bytes_in += static_cast<std::uint64_t>(n);
      if (handler_) handler_->on_stream_data(buffer.base, static_cast<std::size_t>(n));
      if (static_cast<std::size_t>(n) < buffer.len && !to_the_end) return;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n == 0 && handler_) {
      stop_reading();
      handler_->on_stream_eof();
      return;
    }
    close();
    return;
  }
}

WriteResult TcpConnection::write(SharedBuffer bytes) {
  if (closing_ || close_when_drained_) return WriteResult::kDropped;
  if (bytes.empty()) return WriteResult::kOk;
  if (queued_bytes_ + bytes.size() > limits_->max_queued_bytes) return WriteResult::kDropped;
  queued_bytes_ += bytes.size();
  pending_.push_back(std::move(bytes));
  if (!write_blocked_) loop_->schedule_flush(*this);
  if (queued_bytes_ >= limits_->high_watermark) {
    above_high_watermark_ = true;
    return WriteResult::kBackpressure;
  }
  return WriteResult::kOk;
}

WriteResult TcpConnection::write_copy(std::string_view bytes) {
  return write(SharedBuffer::copy_of(bytes));
}

void TcpConnection::flush() {
  // Everything queued in a loop turn goes out in as few writev calls as the kernel's buffer allows; what it
  // does not take waits for the socket to become writable, in order.
  while (!closing_ && !write_blocked_ && !connecting_ && fd_ >= 0 && !pending_.empty()) {
    std::array<iovec, kMaxIov> iov;
    const std::size_t n = std::min(kMaxIov, pending_.size());
    std::size_t offered = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t skip = i == 0 ? head_written_ : 0;
      iov[i].iov_base = pending_[i].data() + skip;
      iov[i].iov_len = pending_[i].size() - skip;
      offered += iov[i].iov_len;
    }
    const ssize_t written = ::writev(fd_, iov.data(), static_cast<int>(n));
    if (written < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        write_blocked_ = true;
        if (update_interest() != 0) close();
        return;
      }
      close();
      return;
    }
    // Written buffers leave the queue before anyone hears of it: a drained handler may write again.
    std::size_t left = static_cast<std::size_t>(written) + head_written_;
    std::size_t whole = 0;
    while (whole < n && left >= pending_[whole].size()) {
      left -= pending_[whole].size();
      ++whole;
    }
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(whole));
    head_written_ = left;
    if (static_cast<std::size_t>(written) < offered) {
      write_blocked_ = true;  // the kernel took what fits; the rest when the socket is writable again
      if (update_interest() != 0) {
        close();
        return;
      }
    }
    after_bytes_left_queue(static_cast<std::size_t>(written));
  }
  if (pending_.empty() && close_when_drained_ && !closing_) close();
}

void TcpConnection::after_bytes_left_queue(std::size_t n) {
  queued_bytes_ -= n;
  loop_->counters().bytes_out += n;
  if (above_high_watermark_ && queued_bytes_ <= limits_->high_watermark / 2) {
    above_high_watermark_ = false;
    if (handler_ && !closing_) handler_->on_stream_drained();
  }
}

void TcpConnection::close() {
  if (closing_) return;
  closing_ = true;
  reading_ = false;
  loop_->unschedule_flush(*this);
  if (occasional_) loop_->timers().cancel(occasional_->linger);
  if (fd_ >= 0) {
    loop_->sockets().forget(fd_, interest_);
    ::close(fd_);
    fd_ = -1;
    interest_ = 0;
  }
  loop_->sockets().reap_later(*this);
}

void TcpConnection::close_after_writes() {
  if (closing_) return;
  stop_reading();
  if (queued_bytes_ == 0) {
    close();
    return;
  }
  close_when_drained_ = true;
  if (limits_->close_linger_ms != 0 && !(occasional_ && occasional_->linger.scheduled())) {
    loop_->timers().schedule(occasional().linger, limits_->close_linger_ms);
  }
}

void TcpConnection::on_linger_timeout(TimerEntry& entry) {
  static_cast<TcpConnection*>(entry.context)->close();
}

void TcpConnection::on_closed() {
  std::unique_ptr<TcpConnection> self(this);  // the matching half of create()
  // Bytes still queued are dropped with us.
  pending_.clear();
  queued_bytes_ = 0;
  if (handler_) handler_->on_stream_closed();
}

}  // namespace rtb
