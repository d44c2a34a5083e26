#include "transports/net/loop.hpp"

#include <csignal>
#include <cstdio>
#include <utility>

#include "transports/net/socket_poller.hpp"
#include "transports/net/tcp_connection.hpp"

namespace rtb {

Loop::Loop(std::uint32_t timer_tick_ms) : read_buffer_(std::make_unique<char[]>(kReadBufferSize)) {
  // libuv writes with write()/writev(), so a peer that closed while we were sending would end the whole
  // process with SIGPIPE (`rtbench serve` died that way); ignored, the write fails with EPIPE and only that
  // connection closes. Process-wide, like the loop itself.
  std::signal(SIGPIPE, SIG_IGN);
  uv_loop_init(&loop_);
  loop_.data = this;
  timers_ = std::make_unique<TimerWheel>(&loop_, timer_tick_ms);
  // Prepare runs before the loop blocks (after timers), check after I/O callbacks: between them every write
  // made in a loop turn is flushed exactly once, coalesced per socket.
  uv_prepare_init(&loop_, prepare_.get());
  prepare_.set_initialised();
  prepare_->data = this;
  uv_prepare_start(prepare_.get(), [](uv_prepare_t* h) { static_cast<Loop*>(h->data)->flush_all(); });
  uv_unref(prepare_.as_handle());
  uv_check_init(&loop_, check_.get());
  check_.set_initialised();
  check_->data = this;
  uv_check_start(check_.get(), [](uv_check_t* h) { static_cast<Loop*>(h->data)->flush_all(); });
  uv_unref(check_.as_handle());
  uv_idle_init(&loop_, idle_.get());
  idle_.set_initialised();
  idle_->data = this;
  uv_unref(idle_.as_handle());
  sockets_ = std::make_unique<SocketPoller>(*this);
}

Loop::~Loop() {
  // Connections first, while the timers and tasks their handlers may touch still exist.
  sockets_->close_all();
  sockets_.reset();
  timers_.reset();
  prepare_.close();
  check_.close();
  idle_.close();
  // Whatever is still open (a test that forgot a handle) is closed here so uv_loop_close succeeds.
  uv_walk(
      &loop_,
      [](uv_handle_t* h, void*) {
        if (!uv_is_closing(h)) uv_close(h, nullptr);
      },
      nullptr);
  uv_run(&loop_, UV_RUN_DEFAULT);
  if (uv_loop_close(&loop_) != 0)
    std::fprintf(stderr, "rtbench: event loop closed with handles still open\n");
}

void Loop::schedule_flush(TcpConnection& connection) {
  if (connection.flush_scheduled_) return;
  connection.flush_scheduled_ = true;
  connection.flush_next_ = flush_head_;
  flush_head_ = &connection;
}

void Loop::unschedule_flush(TcpConnection& connection) {
  if (!connection.flush_scheduled_) return;
  for (TcpConnection** link = &flush_head_; *link != nullptr; link = &(*link)->flush_next_) {
    if (*link == &connection) {
      *link = connection.flush_next_;
      break;
    }
  }
  connection.flush_scheduled_ = false;
  connection.flush_next_ = nullptr;
}

LoopTask::~LoopTask() {
  if (loop_ != nullptr) loop_->cancel(*this);
}

const StreamLimits& Loop::intern(const StreamLimits& limits) {
  for (const StreamLimits& kept : limits_) {
    if (kept.max_queued_bytes == limits.max_queued_bytes && kept.high_watermark == limits.high_watermark &&
        kept.close_linger_ms == limits.close_linger_ms)
      return kept;
  }
  limits_.push_front(limits);
  return limits_.front();
}

void Loop::post(LoopTask& task) {
  if (task.loop_ != nullptr) return;
  task.loop_ = this;
  task.next_ = nullptr;
  task.prev_ = task_tail_;
  if (task_tail_ != nullptr) {
    task_tail_->next_ = &task;
  } else {
    task_head_ = &task;
  }
  task_tail_ = &task;
  if (!uv_is_active(idle_.as_handle())) {
    uv_idle_start(idle_.get(), [](uv_idle_t* h) { static_cast<Loop*>(h->data)->flush_all(); });
  }
}

void Loop::cancel(LoopTask& task) {
  if (task.loop_ != this) return;
  if (task.prev_ != nullptr) {
    task.prev_->next_ = task.next_;
  } else {
    task_head_ = task.next_;
  }
  if (task.next_ != nullptr) {
    task.next_->prev_ = task.prev_;
  } else {
    task_tail_ = task.prev_;
  }
  task.prev_ = task.next_ = nullptr;
  task.loop_ = nullptr;
}

void Loop::run_tasks() {
  // Tasks posted while running wait for the next phase, so a task that re-posts itself cannot starve I/O.
  LoopTask* last = task_tail_;
  while (task_head_ != nullptr) {
    LoopTask* task = task_head_;
    bool was_last = task == last;
    cancel(*task);
    task->callback_(*task);
    if (was_last) break;
  }
  if (task_head_ == nullptr && idle_.get() != nullptr && uv_is_active(idle_.as_handle()))
    uv_idle_stop(idle_.get());
}

void Loop::flush_all() {
  run_tasks();
  while (flush_head_ != nullptr) {
    TcpConnection* connection = std::exchange(flush_head_, flush_head_->flush_next_);
    connection->flush_scheduled_ = false;
    connection->flush_next_ = nullptr;
    connection->flush();
  }
}

}  // namespace rtb
