// Client-side test helpers: a ClientEvents that records everything, loopback ClientOptions, and a bounded way
// to run a client Loop in the test thread until something has happened.
#pragma once

#include <uv.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "transports/common/client_session.hpp"
#include "transports/net/loop.hpp"
#include "transports/net/uv_handle.hpp"

namespace rtb::test {

struct RecordingEvents final : ClientEvents {
  struct Error {
    ClientErrorKind kind;
    std::string detail;
  };
  void on_connected() override { ++connected; }
  void on_event(std::uint64_t id, std::string_view data) override {
    events.emplace_back(id, std::string(data));
  }
  void on_gap(std::uint64_t first, std::uint64_t last) override { gaps.emplace_back(first, last); }
  void on_error(ClientErrorKind kind, std::string_view detail) override {
    errors.push_back({kind, std::string(detail)});
  }
  std::size_t errors_of(ClientErrorKind kind) const {
    std::size_t n = 0;
    for (const auto& e : errors) n += e.kind == kind ? 1 : 0;
    return n;
  }

  int connected = 0;
  std::vector<std::pair<std::uint64_t, std::string>> events;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> gaps;
  std::vector<Error> errors;
};

inline ClientOptions loopback_options(int port, std::string channel) {
  ClientOptions options;
  sockaddr_in addr{};
  uv_ip4_addr("127.0.0.1", port, &addr);
  std::memcpy(&options.server, &addr, sizeof(addr));
  options.channel = std::move(channel);
  options.reconnect_delay_ms = 20;
  return options;
}

// Runs `loop` until `done()` holds or `timeout` passes; true when done. A repeating timer wakes the loop so
// the condition is checked even while no I/O arrives.
template <typename Done>
bool run_until(Loop& loop, Done&& done, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  UvHandle<uv_timer_t> wake;
  uv_timer_init(loop.get(), wake.get());
  wake.set_initialised();
  uv_timer_start(
      wake.get(), [](uv_timer_t*) {}, 5, 5);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    uv_run(loop.get(), UV_RUN_ONCE);
  }
  return true;
}

// Lets the loop process whatever is ready (bounded to a few turns): flushes writes, runs close callbacks.
inline void run_briefly(Loop& loop, std::chrono::milliseconds time = std::chrono::milliseconds(50)) {
  auto until = std::chrono::steady_clock::now() + time;
  run_until(
      loop, [&] { return std::chrono::steady_clock::now() >= until; }, time * 2);
}

}  // namespace rtb::test
