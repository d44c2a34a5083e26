#include "transports/net/tcp_connection.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <utility>

namespace rtb {

void StreamHandler::on_stream_eof() {
  if (stream != nullptr) stream->close();
}

namespace {

constexpr std::size_t kMaxIov = 64;

TcpConnection* from_handle(uv_handle_t* h) {
  return static_cast<TcpConnection*>(h->data);
}

void on_alloc(uv_handle_t* h, std::size_t, uv_buf_t* buf) {
  *buf = from_handle(h)->loop().read_buffer();
}

}  // namespace

// Bytes handed to uv_write stay alive (the SharedBuffers are held here) until the write callback.
struct TcpConnection::WriteRequest {
  uv_write_t req;
  TcpConnection* connection;
  std::vector<SharedBuffer> buffers;
  std::size_t bytes;
};

TcpConnection* TcpConnection::create(Loop& loop, StreamLimits limits) {
  auto owned = std::make_unique<TcpConnection>(PrivateTag{}, loop, limits);
  return owned.release();  // reclaimed in on_closed()
}

struct TcpConnection::Occasional {
  explicit Occasional(TcpConnection* owner) : linger(&TcpConnection::on_linger_timeout, owner) {}
  uv_connect_t* connect_req = nullptr;  // while connecting: told when the connection closes first
  TimerEntry linger;                    // while a close waits for the queue to drain
};

namespace {

const StreamLimits& normalised(Loop& loop, StreamLimits limits) {
  // A producer must hear kBackpressure before kDropped, also when the hard bound is set below the default
  // watermark (--max-queued-bytes 64 KiB): the watermark sits at most halfway to the bound.
  limits.high_watermark = std::min(limits.high_watermark, limits.max_queued_bytes / 2);
  return loop.intern(limits);
}

}  // namespace

TcpConnection::TcpConnection(PrivateTag, Loop& loop, StreamLimits limits)
    : limits_(&normalised(loop, limits)) {
  uv_tcp_init(loop.get(), &tcp_);
  tcp_.data = this;
}

TcpConnection::~TcpConnection() {
  if (counted_open_) --loop().counters().connections_open;
}

TcpConnection::Occasional& TcpConnection::occasional() {
  if (!occasional_) occasional_ = std::make_unique<Occasional>(this);
  return *occasional_;
}

int TcpConnection::accept_from(uv_stream_t* server) {
  int rc = uv_accept(server, reinterpret_cast<uv_stream_t*>(&tcp_));
  if (rc == 0) {
    uv_tcp_nodelay(&tcp_, 1);
    counted_open_ = true;
    ++loop().counters().connections_open;
    ++loop().counters().connections_total;
  }
  return rc;
}

int TcpConnection::open_socket(uv_os_sock_t fd) {
  int rc = uv_tcp_open(&tcp_, fd);
  if (rc == 0) {
    // Fails harmlessly on a Unix-domain socket, which has no Nagle delay to disable.
    uv_tcp_nodelay(&tcp_, 1);
    counted_open_ = true;
    ++loop().counters().connections_open;
    ++loop().counters().connections_total;
  }
  return rc;
}

int TcpConnection::bind_to_source(const sockaddr* source) {
  // The port comes from the loop's SourcePorts, not from the kernel's search (see source_ports.hpp).
  const int fd = ::socket(source->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return uv_translate_sys_error(errno);
  if (int rc = loop().source_ports().bind(fd, source); rc != 0) {
    ::close(fd);
    return rc;
  }
  if (int rc = uv_tcp_open(&tcp_, fd); rc != 0) {
    ::close(fd);
    return rc;
  }
  return 0;
}

int TcpConnection::connect_to(const sockaddr* peer, const sockaddr* bind_source) {
  if (bind_source != nullptr) {
    if (int rc = bind_to_source(bind_source); rc != 0) return rc;
  }
  auto request = std::make_unique<uv_connect_t>();
  request->data = this;
  int rc = uv_tcp_connect(request.get(), &tcp_, peer, [](uv_connect_t* req, int status) {
    std::unique_ptr<uv_connect_t> done(req);
    auto* self = static_cast<TcpConnection*>(req->data);
    if (self == nullptr) return;  // the connection was closed while connecting
    self->occasional_->connect_req = nullptr;
    if (status == 0) {
      uv_tcp_nodelay(&self->tcp_, 1);
      self->counted_open_ = true;
      ++self->loop().counters().connections_open;
      ++self->loop().counters().connections_total;
    }
    if (self->handler_) self->handler_->on_stream_connected(status);
  });
  if (rc == 0) occasional().connect_req = request.release();  // freed in the connect callback
  return rc;
}

void TcpConnection::set_handler(std::unique_ptr<StreamHandler> handler) {
  handler_ = std::move(handler);
  if (handler_) handler_->stream = this;
}

int TcpConnection::start_reading() {
  if (reading_ || closing_) return 0;
  int rc = uv_read_start(reinterpret_cast<uv_stream_t*>(&tcp_), on_alloc,
                         [](uv_stream_t* s, ssize_t nread, const uv_buf_t* buf) {
                           from_handle(reinterpret_cast<uv_handle_t*>(s))->on_read(nread, buf);
                         });
  reading_ = rc == 0;
  return rc;
}

void TcpConnection::stop_reading() {
  if (!reading_) return;
  uv_read_stop(reinterpret_cast<uv_stream_t*>(&tcp_));
  reading_ = false;
}

int TcpConnection::fd() const {
  uv_os_fd_t fd = -1;
  uv_fileno(reinterpret_cast<const uv_handle_t*>(&tcp_), &fd);
  return fd;
}

void TcpConnection::on_read(ssize_t nread, const uv_buf_t* buf) {
  if (nread > 0) {
    loop().counters().bytes_in += static_cast<std::uint64_t>(nread);
    if (handler_) handler_->on_stream_data(buf->base, static_cast<std::size_t>(nread));
    return;
  }
  if (nread == 0) return;  // EAGAIN: nothing to do
  if (nread == UV_EOF && handler_) {
    stop_reading();
    handler_->on_stream_eof();
    return;
  }
  close();
}

WriteResult TcpConnection::write(SharedBuffer bytes) {
  if (closing_ || close_when_drained_) return WriteResult::kDropped;
  if (bytes.empty()) return WriteResult::kOk;
  if (queued_bytes_ + bytes.size() > limits_->max_queued_bytes) return WriteResult::kDropped;
  queued_bytes_ += bytes.size();
  pending_.push_back(std::move(bytes));
  loop().schedule_flush(*this);
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
  if (closing_ || pending_.empty()) return;
  auto* stream = reinterpret_cast<uv_stream_t*>(&tcp_);
  std::size_t consumed_buffers = 0;
  std::size_t partial_offset = 0;
  // Fast path: straight into the socket when nothing is in flight (libuv refuses try_write otherwise).
  const bool connecting = occasional_ && occasional_->connect_req != nullptr;
  if (uv_stream_get_write_queue_size(stream) == 0 && !connecting) {
    while (consumed_buffers < pending_.size()) {
      std::array<uv_buf_t, kMaxIov> iov;
      std::size_t n = std::min(kMaxIov, pending_.size() - consumed_buffers);
      for (std::size_t i = 0; i < n; ++i) {
        auto& b = pending_[consumed_buffers + i];
        iov[i] = uv_buf_init(b.data(), static_cast<unsigned>(b.size()));
      }
      int written = uv_try_write(stream, iov.data(), static_cast<unsigned>(n));
      if (written == UV_EAGAIN || written == UV_ENOSYS) break;
      if (written < 0) {
        close();
        return;
      }
      std::size_t left = static_cast<std::size_t>(written);
      after_bytes_left_queue(left);
      while (left > 0 && left >= pending_[consumed_buffers].size()) {
        left -= pending_[consumed_buffers].size();
        ++consumed_buffers;
      }
      if (left > 0) {
        partial_offset = left;
        break;
      }
      if (n < kMaxIov) break;
    }
  }
  if (consumed_buffers == pending_.size()) {
    pending_.clear();
    if (close_when_drained_ && queued_bytes_ == 0) close();
    return;
  }
  // Slow path: hand the rest to libuv, which keeps the order of queued writes.
  auto request = std::make_unique<WriteRequest>();
  request->connection = this;
  request->buffers.assign(
      std::make_move_iterator(pending_.begin() + static_cast<std::ptrdiff_t>(consumed_buffers)),
      std::make_move_iterator(pending_.end()));
  pending_.clear();
  std::vector<uv_buf_t> iov;
  iov.reserve(request->buffers.size());
  request->bytes = 0;
  for (std::size_t i = 0; i < request->buffers.size(); ++i) {
    auto& b = request->buffers[i];
    std::size_t skip = i == 0 ? partial_offset : 0;
    iov.push_back(uv_buf_init(b.data() + skip, static_cast<unsigned>(b.size() - skip)));
    request->bytes += b.size() - skip;
  }
  request->req.data = request.get();
  int rc = uv_write(&request->req, stream, iov.data(), static_cast<unsigned>(iov.size()),
                    [](uv_write_t* req, int status) {
                      std::unique_ptr<WriteRequest> done(static_cast<WriteRequest*>(req->data));
                      done->connection->on_write_done(done.get(), status);
                    });
  if (rc != 0) {
    close();
    return;
  }
  request.release();  // freed in the write callback
}

void TcpConnection::after_bytes_left_queue(std::size_t n) {
  queued_bytes_ -= n;
  loop().counters().bytes_out += n;
  if (above_high_watermark_ && queued_bytes_ <= limits_->high_watermark / 2) {
    above_high_watermark_ = false;
    if (handler_ && !closing_) handler_->on_stream_drained();
  }
}

void TcpConnection::on_write_done(WriteRequest* request, int status) {
  if (status != 0) {
    queued_bytes_ -= request->bytes;
    close();
    return;
  }
  after_bytes_left_queue(request->bytes);
  if (close_when_drained_ && queued_bytes_ == 0 && !closing_) close();
}

void TcpConnection::close() {
  if (closing_) return;
  closing_ = true;
  stop_reading();
  loop().unschedule_flush(*this);
  if (occasional_) {
    loop().timers().cancel(occasional_->linger);
    if (occasional_->connect_req != nullptr) occasional_->connect_req->data = nullptr;
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), [](uv_handle_t* h) { from_handle(h)->on_closed(); });
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
    loop().timers().schedule(occasional().linger, limits_->close_linger_ms);
  }
}

void TcpConnection::on_linger_timeout(TimerEntry& entry) {
  static_cast<TcpConnection*>(entry.context)->close();
}

void TcpConnection::on_closed() {
  std::unique_ptr<TcpConnection> self(this);  // the matching half of create()
  // Requests cancelled by uv_close already called back; pending_ bytes are dropped with us.
  queued_bytes_ = 0;
  if (handler_) handler_->on_stream_closed();
}

}  // namespace rtb
