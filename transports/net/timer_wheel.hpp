// TimerWheel: one coarse uv timer serving every per-connection timeout (header read, long-poll, heartbeats).
#pragma once

#include <uv.h>

#include <cstdint>

#include "transports/net/uv_handle.hpp"

namespace rtb {

class TimerWheel;

// Embedded in the object that wants a timeout; costs two pointers and a counter, no allocation.
class TimerEntry {
 public:
  using Callback = void (*)(TimerEntry&);
  explicit TimerEntry(Callback cb = nullptr, void* context = nullptr) : context(context), callback_(cb) {}
  TimerEntry(const TimerEntry&) = delete;
  TimerEntry& operator=(const TimerEntry&) = delete;
  ~TimerEntry();
  void set_callback(Callback cb) { callback_ = cb; }
  bool scheduled() const { return wheel_ != nullptr; }
  void* context;  // the owner, for the callback to find its way back

 private:
  friend class TimerWheel;
  Callback callback_;
  TimerEntry* prev_ = nullptr;
  TimerEntry* next_ = nullptr;
  TimerWheel* wheel_ = nullptr;
  std::uint32_t rounds_ = 0;
  std::uint32_t slot_ = 0;
};

class TimerWheel {
 public:
  static constexpr std::uint32_t kSlots = 256;
  static constexpr std::uint32_t kFiring = kSlots;  // extra list: entries due in the current tick
  // Resolution: a timeout fires between delay and delay + one tick after it was scheduled, measured in loop
  // time; ticks that a busy loop ran late are caught up, so long timeouts do not stretch.
  TimerWheel(uv_loop_t* loop, std::uint32_t tick_ms = 100);
  TimerWheel(const TimerWheel&) = delete;
  TimerWheel& operator=(const TimerWheel&) = delete;
  ~TimerWheel();

  void schedule(TimerEntry& entry, std::uint64_t delay_ms);
  void cancel(TimerEntry& entry);
  std::size_t size() const { return size_; }
  std::uint32_t tick_ms() const { return tick_ms_; }

 private:
  void on_tick();
  void fire_slot();
  void arm(std::uint64_t now);
  void link(TimerEntry& entry, std::uint32_t slot);
  void unlink(TimerEntry& entry);

  UvHandle<uv_timer_t> timer_;
  std::uint32_t tick_ms_;
  std::uint32_t cursor_ = 0;
  // Loop time the cursor stands for: ticks sit on a fixed grid from here, whenever the loop gets to them.
  std::uint64_t last_tick_ms_ = 0;
  std::size_t size_ = 0;
  bool running_ = false;
  TimerEntry* slots_[kSlots + 1] = {};
};

}  // namespace rtb
