#include "transports/net/timer_wheel.hpp"

namespace rtb {

TimerEntry::~TimerEntry() {
  if (wheel_ != nullptr) wheel_->cancel(*this);
}

TimerWheel::TimerWheel(uv_loop_t* loop, std::uint32_t tick_ms) : tick_ms_(tick_ms == 0 ? 1 : tick_ms) {
  uv_timer_init(loop, timer_.get());
  timer_.set_initialised();
  timer_->data = this;
  // The wheel alone must not keep the loop alive: connections and listeners do.
  uv_unref(timer_.as_handle());
}

TimerWheel::~TimerWheel() {
  for (auto*& head : slots_) {
    while (head != nullptr) unlink(*head);
  }
}

void TimerWheel::link(TimerEntry& entry, std::uint32_t slot) {
  entry.slot_ = slot;
  entry.wheel_ = this;
  entry.prev_ = nullptr;
  entry.next_ = slots_[slot];
  if (entry.next_ != nullptr) entry.next_->prev_ = &entry;
  slots_[slot] = &entry;
  ++size_;
}

void TimerWheel::unlink(TimerEntry& entry) {
  if (entry.prev_ != nullptr) {
    entry.prev_->next_ = entry.next_;
  } else {
    slots_[entry.slot_] = entry.next_;
  }
  if (entry.next_ != nullptr) entry.next_->prev_ = entry.prev_;
  entry.prev_ = entry.next_ = nullptr;
  entry.wheel_ = nullptr;
  --size_;
}

void TimerWheel::schedule(TimerEntry& entry, std::uint64_t delay_ms) {
  if (entry.wheel_ != nullptr) entry.wheel_->cancel(entry);
  // Ticks are counted from the cursor's time, not from now: time already spent since then counts against the
  // delay, and the count rounds up, so a timeout never fires early.
  std::uint64_t now = uv_now(timer_->loop);
  if (!running_) last_tick_ms_ = now;  // the timer starts below: its first tick is one tick from now
  std::uint64_t since_tick = now > last_tick_ms_ ? now - last_tick_ms_ : 0;
  std::uint64_t ticks = (delay_ms + since_tick + tick_ms_ - 1) / tick_ms_;
  if (ticks == 0) ticks = 1;
  entry.rounds_ = static_cast<std::uint32_t>((ticks - 1) / kSlots);
  link(entry, static_cast<std::uint32_t>((cursor_ + ticks) % kSlots));
  if (!running_) {
    running_ = true;
    arm(now);
  }
}

void TimerWheel::cancel(TimerEntry& entry) {
  if (entry.wheel_ != this) return;
  unlink(entry);
}

void TimerWheel::arm(std::uint64_t now) {
  // One-shot to the next grid point: a repeating uv timer restarts its period from whenever it ran, which
  // drifts by the loop's lateness on every tick.
  std::uint64_t next = last_tick_ms_ + tick_ms_;
  uv_timer_start(
      timer_.get(), [](uv_timer_t* t) { static_cast<TimerWheel*>(t->data)->on_tick(); },
      next > now ? next - now : 0, 0);
}

void TimerWheel::on_tick() {
  std::uint64_t now = uv_now(timer_->loop);
  // Every grid point that has passed is one slot: a loop that ran late catches up instead of stretching.
  while (running_ && last_tick_ms_ + tick_ms_ <= now) {
    last_tick_ms_ += tick_ms_;
    cursor_ = (cursor_ + 1) % kSlots;
    fire_slot();
    if (size_ == 0) running_ = false;
  }
  if (running_) {
    arm(now);
  } else {
    uv_timer_stop(timer_.get());
  }
}

void TimerWheel::fire_slot() {
  // Move the due slot to the firing list first: callbacks may schedule or cancel any entry, including due
  // ones.
  while (slots_[cursor_] != nullptr) {
    TimerEntry& entry = *slots_[cursor_];
    unlink(entry);
    link(entry, kFiring);
  }
  while (slots_[kFiring] != nullptr) {
    TimerEntry& entry = *slots_[kFiring];
    unlink(entry);
    if (entry.rounds_ > 0) {
      --entry.rounds_;
      link(entry, cursor_);
      continue;
    }
    if (entry.callback_ != nullptr) entry.callback_(entry);
  }
}

}  // namespace rtb
