// run_until: drives a real Loop until a condition holds or a deadline (in loop time) passes, so a test that
// waits for something that never happens ends instead of hanging.
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>

#include "transports/net/loop.hpp"
#include "transports/net/uv_handle.hpp"

namespace rtb::test {

// Returns whether `done` became true before `timeout_ms` of loop time passed. The check runs every
// millisecond from a referenced timer, which also keeps the loop alive while only unreferenced handles (the
// timer wheel) have work.
inline bool run_until(Loop& loop, const std::function<bool()>& done, std::uint64_t timeout_ms = 5000) {
  if (done()) return true;
  struct Guard {
    const std::function<bool()>* done;
    std::uint64_t deadline;
    bool met = false;
  } guard{&done, loop.now_ms() + timeout_ms};
  UvHandle<uv_timer_t> timer;
  uv_timer_init(loop.get(), timer.get());
  timer.set_initialised();
  timer->data = &guard;
  uv_timer_start(
      timer.get(),
      [](uv_timer_t* t) {
        auto* g = static_cast<Guard*>(t->data);
        g->met = (*g->done)();
        if (g->met || uv_now(t->loop) >= g->deadline) {
          uv_timer_stop(t);
          uv_stop(t->loop);
        }
      },
      1, 1);
  loop.run();
  timer.close();
  // Lets the close callback free the guard timer now rather than at the loop's end.
  uv_run(loop.get(), UV_RUN_NOWAIT);
  return guard.met || done();
}

}  // namespace rtb::test
