#include "transports/net/socket_poller.hpp"

#include <sys/epoll.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include "transports/net/tcp_connection.hpp"

namespace rtb {

SocketPoller::SocketPoller(Loop& loop) : loop_(loop), reap_task_(&SocketPoller::on_reap_task, this) {
  // Made with the loop, like libuv's own epoll descriptor (a failure shows again, with its error, when a
  // connection asks to be watched).
  ensure_epoll();
}

SocketPoller::~SocketPoller() {
  close_all();
  poll_.close();  // stops watching the descriptor before it is closed
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
}

int SocketPoller::ensure_epoll() {
  if (epoll_fd_ >= 0) return 0;
  const int fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0) return uv_translate_sys_error(errno);
  if (int rc = uv_poll_init(loop_.get(), poll_.get(), fd); rc != 0) {
    ::close(fd);
    return rc;
  }
  poll_.set_initialised();
  poll_->data = this;
  epoll_fd_ = fd;
  uv_poll_start(poll_.get(), UV_READABLE, [](uv_poll_t* h, int, int) {
    if (h->data != nullptr) static_cast<SocketPoller*>(h->data)->on_ready();
  });
  referenced_ = true;  // a started handle holds the loop until unref'd
  update_ref();
  return 0;
}

void SocketPoller::update_ref() {
  if (epoll_fd_ < 0) return;
  const bool wanted = live_ > 0;
  if (wanted == referenced_) return;
  referenced_ = wanted;
  if (wanted) {
    uv_ref(poll_.as_handle());
  } else {
    uv_unref(poll_.as_handle());
  }
}

void SocketPoller::count_live(TcpConnection&) {
  ++live_;
  update_ref();
}

void SocketPoller::adopt(TcpConnection& connection, int fd) {
  const auto index = static_cast<std::size_t>(fd);
  if (index >= by_fd_.size()) by_fd_.resize(index + 1 + index / 2, nullptr);
  by_fd_[index] = &connection;
}

int SocketPoller::watch(TcpConnection& connection, int fd, std::uint32_t registered, std::uint32_t wanted,
                        bool rearm) {
  if (registered == wanted && !rearm) return 0;
  if (int rc = ensure_epoll(); rc != 0) return rc;
  epoll_event event{};
  event.events = wanted;
  event.data.ptr = &connection;
  const int op = registered == 0 ? EPOLL_CTL_ADD : wanted == 0 ? EPOLL_CTL_DEL : EPOLL_CTL_MOD;
  if (::epoll_ctl(epoll_fd_, op, fd, &event) != 0) return uv_translate_sys_error(errno);
  return 0;
}

void SocketPoller::forget(int fd, std::uint32_t registered) {
  if (registered != 0 && epoll_fd_ >= 0) {
    epoll_event unused{};
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, &unused);
  }
  const auto index = static_cast<std::size_t>(fd);
  if (index < by_fd_.size()) by_fd_[index] = nullptr;
}

void SocketPoller::on_ready() {
  // One batch per wake-up: the set stays readable while events are left, and libuv comes back after the
  // other handles have had their turn.
  std::array<epoll_event, 256> events;
  const int n = ::epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), 0);
  for (int i = 0; i < n; ++i)
    static_cast<TcpConnection*>(events[static_cast<std::size_t>(i)].data.ptr)
        ->on_socket_ready(events[static_cast<std::size_t>(i)].events);
}

void SocketPoller::reap_later(TcpConnection& connection) {
  connection.flush_next_ = closed_head_;
  closed_head_ = &connection;
  loop_.post(reap_task_);
}

void SocketPoller::on_reap_task(LoopTask& task) {
  static_cast<SocketPoller*>(task.context)->reap();
}

void SocketPoller::reap() {
  // A handler told of its close may close others (a tunnel's two sides): they join the list and go too.
  while (closed_head_ != nullptr) {
    TcpConnection* connection = closed_head_;
    closed_head_ = connection->flush_next_;
    connection->flush_next_ = nullptr;
    --live_;
    connection->on_closed();  // frees it
  }
  update_ref();
}

void SocketPoller::close_all() {
  // Handlers told of a close may open new connections (a client reconnecting): a few rounds close those too.
  for (int round = 0; round < 4; ++round) {
    for (std::size_t fd = 0; fd < by_fd_.size(); ++fd) {
      if (by_fd_[fd] != nullptr) by_fd_[fd]->close();
    }
    reap();
    if (live_ == 0) break;
  }
  loop_.cancel(reap_task_);
}

}  // namespace rtb
