#include "transports/server/worker_process.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "transports/net/loop.hpp"
#include "transports/net/shutdown_signals.hpp"
#include "transports/net/uv_handle.hpp"
#include "transports/redis/redis_broker.hpp"
#include "transports/server/worker.hpp"
#include "transports/server/worker_board.hpp"

namespace rtb {

namespace {

constexpr std::uint64_t kPostEveryMs = 250;

void tell_supervisor(const WorkerRole* role, const std::string& line) {
  if (role == nullptr || role->ready_fd < 0) return;
  const std::string text = line + "\n";
  // A short write on a pipe of this size does not happen; a failed one leaves the supervisor to time out.
  [[maybe_unused]] const ssize_t n = ::write(role->ready_fd, text.data(), text.size());
  ::close(role->ready_fd);
}

// Refuses to start: said on stderr and, for a supervised worker, to the supervisor.
int refuse(const WorkerRole* role, const std::string& why) {
  fmt::print(stderr, "rtbench serve: {}\n", why);
  tell_supervisor(role, why);
  return 2;
}

// Runs the loop until both of the broker's connections are up, at most `timeout_ms`: a worker says it listens
// only once it can publish and replay, so no client of a fresh worker meets a broker still connecting.
bool wait_until_up(Loop& loop, const RedisBroker& broker, std::uint64_t timeout_ms) {
  struct Wait {
    const RedisBroker& broker;
    Loop& loop;
    std::uint64_t deadline;
  } wait{broker, loop, loop.now_ms() + timeout_ms};
  UvHandle<uv_timer_t> timer;
  uv_timer_init(loop.get(), timer.get());
  timer.set_initialised();
  timer->data = &wait;
  uv_timer_start(
      timer.get(),
      [](uv_timer_t* t) {
        const auto* w = static_cast<const Wait*>(t->data);
        if (w->broker.up() || w->loop.now_ms() >= w->deadline) uv_stop(w->loop.get());
      },
      5, 5);
  loop.run();
  return broker.up();
}

}  // namespace

void print_listening_lines(const ServerConfig& config, int port, int tls_port) {
  // A URL puts an IPv6 address in brackets.
  const bool v6 = config.listen.host.find(':') != std::string::npos;
  const std::string host = v6 ? "[" + config.listen.host + "]" : config.listen.host;
  const bool tls = !config.tls.cert_file.empty();
  const bool tls_only = tls && config.tls_port < 0;
  fmt::print("rtbench serve: listening on {}://{}:{}\n", tls_only ? "https" : "http", host, port);
  if (tls && !tls_only) fmt::print("rtbench serve: listening on https://{}:{}\n", host, tls_port);
  std::fflush(stdout);
}

int run_worker(const ServerConfig& config, const std::optional<RedisUrl>& broker_url,
               const WorkerRole* role) {
  Loop loop;
  std::unique_ptr<RedisBroker> broker;
  if (broker_url) {
    broker = std::make_unique<RedisBroker>(
        loop, RedisBroker::Options{*broker_url, config.hub.history, config.broker_timeout_ms});
    broker->start();
    if (!wait_until_up(loop, *broker, 3ull * config.broker_timeout_ms)) {
      return refuse(role,
                    fmt::format("the broker {} did not come up within {} ms: {}", to_string(*broker_url),
                                3ull * config.broker_timeout_ms, broker->stats_json()));
    }
  }
  // The broker outlives the worker, which its hub refers to.
  Worker worker = broker ? Worker(loop, config, *broker) : Worker(loop, config);
  if (!worker.setup_error().empty()) return refuse(role, worker.setup_error());
  if (const int rc = worker.start(); rc != 0) {
    return refuse(role, fmt::format("cannot listen on {}:{}: {} (choose another --port or --host)",
                                    config.listen.host, config.listen.port, uv_strerror(rc)));
  }
  // First signal: graceful shutdown. Second: stop at once. Installed before anyone hears that this worker
  // listens, because a launcher may send SIGINT as soon as it reads that.
  ShutdownSignals signals(loop, [&worker] { worker.shutdown(); });

  // A supervised worker posts its stats for the others to sum, and answers /stats for the whole server.
  struct StatsPoster {
    Worker& worker;
    WorkerBoard* board;
    std::size_t index;
    Loop& loop;
    void post() const { board->post(index, worker.stats_json(), loop.now_ms()); }
  } poster{worker, role != nullptr ? role->board : nullptr, role != nullptr ? role->index : 0, loop};
  UvHandle<uv_timer_t> post_timer;
  if (poster.board != nullptr) {
    worker.set_stats_view([&poster](const std::string& own) {
      poster.board->post(poster.index, own, poster.loop.now_ms());
      return poster.board->combined(poster.loop.now_ms());
    });
    uv_timer_init(loop.get(), post_timer.get());
    post_timer.set_initialised();
    post_timer->data = &poster;
    uv_timer_start(
        post_timer.get(), [](uv_timer_t* t) { static_cast<const StatsPoster*>(t->data)->post(); }, 0,
        kPostEveryMs);
    uv_unref(post_timer.as_handle());
  }
  if (role != nullptr) {
    tell_supervisor(role, "ok");
  } else {
    print_listening_lines(config, worker.port(), worker.tls_port());
  }
  loop.run();
  if (role == nullptr) fmt::print(stderr, "rtbench serve: stopped\n");
  return 0;
}

}  // namespace rtb
