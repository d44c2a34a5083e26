// ShutdownSignals: SIGINT/SIGTERM handling for a process that serves on one loop. The first signal asks for a
// graceful end (the callback drains sessions); the second stops the loop at once.
#pragma once

#include <uv.h>

#include <functional>

#include "transports/net/loop.hpp"
#include "transports/net/uv_handle.hpp"

namespace rtb {

class ShutdownSignals {
 public:
  ShutdownSignals(Loop& loop, std::function<void()> graceful);
  ShutdownSignals(const ShutdownSignals&) = delete;
  ShutdownSignals& operator=(const ShutdownSignals&) = delete;
  int received() const { return received_; }

 private:
  static void on_signal(uv_signal_t* handle, int signum);

  Loop& loop_;
  std::function<void()> graceful_;
  int received_ = 0;
  // Closed by their UvHandle destructors; the close callbacks free them after this object is gone.
  UvHandle<uv_signal_t> interrupt_;
  UvHandle<uv_signal_t> terminate_;
};

}  // namespace rtb
