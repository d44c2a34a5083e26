// Loop: the one libuv event loop of a process, with the state every connection on it shares.
#pragma once

#include <uv.h>

#include <cstdint>
#include <forward_list>
#include <memory>

#include "transports/net/source_ports.hpp"
#include "transports/net/stream.hpp"
#include "transports/net/timer_wheel.hpp"
#include "transports/net/uv_handle.hpp"

namespace rtb {

class TcpConnection;
class SocketPoller;

// Process-wide byte and connection counters, read by /stats and the load generator.
struct NetCounters {
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
  std::uint64_t connections_open = 0;
  std::uint64_t connections_total = 0;
};

// Work to run once, soon, outside the current callback (after I/O, before the loop blocks). Embedded in its
// owner like TimerEntry; destroying it cancels it.
class LoopTask {
 public:
  using Callback = void (*)(LoopTask&);
  explicit LoopTask(Callback cb, void* context = nullptr) : context(context), callback_(cb) {}
  LoopTask(const LoopTask&) = delete;
  LoopTask& operator=(const LoopTask&) = delete;
  ~LoopTask();
  bool posted() const { return loop_ != nullptr; }
  void* context;  // the owner, for the callback to find its way back

 private:
  friend class Loop;
  Callback callback_;
  LoopTask* prev_ = nullptr;
  LoopTask* next_ = nullptr;
  class Loop* loop_ = nullptr;
};

class Loop {
 public:
  static constexpr std::size_t kReadBufferSize = 64 * 1024;

  // The timer wheel's tick: 100 ms suits server timeouts; the load generator asks for 1 ms.
  explicit Loop(std::uint32_t timer_tick_ms = 100);
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;
  ~Loop();

  uv_loop_t* get() { return &loop_; }
  static Loop& from(uv_loop_t* loop) { return *static_cast<Loop*>(loop->data); }
  int run(uv_run_mode mode = UV_RUN_DEFAULT) { return uv_run(&loop_, mode); }
  void stop() { uv_stop(&loop_); }
  std::uint64_t now_ms() { return uv_now(&loop_); }

  TimerWheel& timers() { return *timers_; }
  NetCounters& counters() { return counters_; }
  // Local ports of the outgoing connections bound to a source address (load generators).
  SourcePorts& source_ports() { return source_ports_; }
  // One stored copy of each distinct StreamLimits, for the loop's lifetime: a connection points at its
  // limits instead of carrying 24 bytes of them (a server has one or two sets).
  const StreamLimits& intern(const StreamLimits& limits);

  // One read buffer for every socket: libuv calls alloc and read back to back, and readers copy what they
  // keep.
  uv_buf_t read_buffer() { return uv_buf_init(read_buffer_.get(), kReadBufferSize); }

  // Writes made during one loop turn are coalesced and flushed before the loop blocks again.
  // The epoll set of the loop's TCP connections (socket_poller.hpp).
  SocketPoller& sockets() { return *sockets_; }

  void schedule_flush(TcpConnection& connection);
  void unschedule_flush(TcpConnection& connection);
  void post(LoopTask& task);
  void cancel(LoopTask& task);

 private:
  void flush_all();

  uv_loop_t loop_;
  std::unique_ptr<char[]> read_buffer_;
  std::unique_ptr<TimerWheel> timers_;
  UvHandle<uv_prepare_t> prepare_;
  UvHandle<uv_check_t> check_;
  UvHandle<uv_idle_t> idle_;  // active only while tasks wait, so the loop does not block in poll
  void run_tasks();
  TcpConnection* flush_head_ = nullptr;
  LoopTask* task_head_ = nullptr;
  LoopTask* task_tail_ = nullptr;
  NetCounters counters_;
  SourcePorts source_ports_;
  std::forward_list<StreamLimits> limits_;
  std::unique_ptr<SocketPoller> sockets_;  // last: its connections' handlers may use everything above
};

}  // namespace rtb
