#include "transports/server/supervisor.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "transports/net/listen_socket.hpp"
#include "transports/server/worker_board.hpp"
#include "transports/server/worker_process.hpp"

namespace rtb {

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kReadyTimeout = std::chrono::seconds(10);
// A worker that dies within this of its start, this many times in a row, is not restarted again.
constexpr auto kQuickDeath = std::chrono::seconds(2);
constexpr int kMaxQuickDeaths = 5;

// A socket bound to the port with SO_REUSEPORT and never listening: it keeps a port picked by --port 0 for
// the workers (a restarted one binds it again) without taking any of its connections.
class PortReservation {
 public:
  PortReservation() = default;
  PortReservation(const PortReservation&) = delete;
  PortReservation& operator=(const PortReservation&) = delete;
  ~PortReservation() {
    if (fd_ >= 0) ::close(fd_);
  }
  // The port bound (the one asked, or a free one for 0), or -1 with the reason.
  int reserve(const std::string& host, int port, std::string* why) {
    fd_ = bind_tcp_socket(host, port, true);
    if (fd_ < 0) {
      *why = fmt::format("cannot bind {}:{}: {} (choose another --port or --host)", host, port,
                         uv_strerror(fd_));
      return -1;
    }
    sockaddr_storage addr{};
    socklen_t length = sizeof addr;
    if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
      *why = fmt::format("cannot read the port bound on {}: {}", host, std::strerror(errno));
      return -1;
    }
    return ntohs(addr.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port
                                            : reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

struct WorkerChild {
  pid_t pid = -1;
  Clock::time_point started;
  int quick_deaths = 0;
};

std::string describe_status(int status) {
  if (WIFEXITED(status)) return fmt::format("exit {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status))
    return fmt::format("killed by signal {} ({})", WTERMSIG(status), strsignal(WTERMSIG(status)));
  return "stopped";
}

class Supervisor {
 public:
  Supervisor(ServerConfig config, const std::optional<RedisUrl>& broker, std::size_t workers)
      : config_(std::move(config)), broker_(broker), children_(workers) {}

  int run() {
    sigset_t watched;
    sigemptyset(&watched);
    sigaddset(&watched, SIGINT);
    sigaddset(&watched, SIGTERM);
    sigaddset(&watched, SIGCHLD);
    sigprocmask(SIG_BLOCK, &watched, &original_mask_);

    std::string why;
    const int port = main_port_.reserve(config_.listen.host, config_.listen.port, &why);
    if (port < 0) return refuse(why);
    config_.listen.port = port;
    config_.listen.reuse_port = true;
    if (!config_.tls.cert_file.empty() && config_.tls_port >= 0) {
      const int tls_port = tls_port_.reserve(config_.listen.host, config_.tls_port, &why);
      if (tls_port < 0) return refuse(why);
      config_.tls_port = tls_port;
    }
    board_ = WorkerBoard::create(children_.size(), &why);
    if (!board_) return refuse(why);
    for (std::size_t i = 0; i < children_.size(); ++i) {
      if (std::string error = spawn(i); !error.empty()) {
        stop_all(SIGKILL);
        reap_all_blocking();
        return refuse(fmt::format("worker {} did not start: {}", i, error));
      }
    }
    announce();
    return supervise(watched);
  }

 private:
  int refuse(const std::string& why) {
    fmt::print(stderr, "rtbench serve: {}\n", why);
    return 2;
  }

  void announce() {
    print_listening_lines(config_, config_.listen.port, config_.tls_port);
    std::string pids;
    for (const WorkerChild& c : children_) pids += fmt::format("{}{}", pids.empty() ? "" : " ", c.pid);
    fmt::print(stderr,
               "rtbench serve: {} workers (pids {}) share the port (SO_REUSEPORT) and the broker {}\n",
               children_.size(), pids, broker_ ? to_string(*broker_) : "none");
    std::fflush(stdout);
    std::fflush(stderr);
  }

  // Forks worker `index` and waits until it listens; empty, or why it did not.
  std::string spawn(std::size_t index) {
    int ready[2];
    if (::pipe2(ready, O_CLOEXEC) != 0) return fmt::format("pipe: {}", std::strerror(errno));
    std::fflush(nullptr);  // nothing buffered here may be written twice
    const pid_t pid = ::fork();
    if (pid < 0) {
      ::close(ready[0]);
      ::close(ready[1]);
      return fmt::format("fork: {}", std::strerror(errno));
    }
    if (pid == 0) {
      ::close(ready[0]);
      sigprocmask(SIG_SETMASK, &original_mask_, nullptr);
      const WorkerRole role{board_.get(), index, ready[1]};
      const int status = run_worker(config_, broker_, &role);
      std::fflush(nullptr);
      ::_exit(status);
    }
    ::close(ready[1]);
    children_[index].pid = pid;
    children_[index].started = Clock::now();
    board_->set_pid(index, pid);
    std::string line;
    const auto deadline = Clock::now() + kReadyTimeout;
    char buf[512];
    while (line.find('\n') == std::string::npos) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      pollfd p{ready[0], POLLIN, 0};
      if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) break;
      const ssize_t n = ::read(ready[0], buf, sizeof buf);
      if (n <= 0) break;
      line.append(buf, static_cast<std::size_t>(n));
    }
    ::close(ready[0]);
    if (line == "ok\n") return {};
    if (!line.empty() && line.back() == '\n') line.pop_back();
    return line.empty() ? fmt::format("it did not say it listens within {} s", kReadyTimeout.count()) : line;
  }

  void stop_all(int signal) {
    for (const WorkerChild& c : children_)
      if (c.pid > 0) ::kill(c.pid, signal);
  }

  void reap_all_blocking() {
    for (WorkerChild& c : children_) {
      if (c.pid > 0) ::waitpid(c.pid, nullptr, 0);
      c.pid = -1;
    }
  }

  bool any_alive() const {
    for (const WorkerChild& c : children_)
      if (c.pid > 0) return true;
    return false;
  }

  int supervise(const sigset_t& watched) {
    int signals = 0;
    int status_out = 0;
    Clock::time_point kill_at{};
    for (;;) {
      timespec tick{0, 200'000'000};
      const int sig = sigtimedwait(&watched, nullptr, &tick);
      if (sig == SIGINT || sig == SIGTERM) {
        // First: every worker shuts down gracefully. Second: at once (each worker's own second signal).
        if (++signals == 1)
          kill_at =
              Clock::now() + std::chrono::milliseconds(config_.shutdown_grace_ms) + std::chrono::seconds(5);
        stop_all(sig);
      }
      reap(signals > 0, status_out);
      if (signals > 0 || status_out != 0) {
        if (!any_alive()) break;
        if (Clock::now() >= kill_at) stop_all(SIGKILL);
      }
    }
    fmt::print(stderr, "rtbench serve: stopped\n");
    return status_out;
  }

  // Reaps dead workers and, unless stopping, starts them again.
  void reap(bool stopping, int& status_out) {
    int status = 0;
    pid_t pid;
    while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
      for (std::size_t i = 0; i < children_.size(); ++i) {
        WorkerChild& c = children_[i];
        if (c.pid != pid) continue;
        c.pid = -1;
        if (stopping || status_out != 0) break;
        c.quick_deaths = Clock::now() - c.started < kQuickDeath ? c.quick_deaths + 1 : 0;
        if (c.quick_deaths >= kMaxQuickDeaths) {
          fmt::print(
              stderr,
              "rtbench serve: worker {} (pid {}) {}, the {}th time within {} s of its start: stopping\n", i,
              pid, describe_status(status), c.quick_deaths, kQuickDeath.count());
          status_out = 1;
          stop_all(SIGTERM);
          break;
        }
        board_->count_restart(i);
        fmt::print(stderr, "rtbench serve: worker {} (pid {}) {}; restarting it\n", i, pid,
                   describe_status(status));
        if (std::string error = spawn(i); !error.empty()) {
          fmt::print(stderr, "rtbench serve: worker {} did not restart: {}\n", i, error);
        } else {
          fmt::print(stderr, "rtbench serve: worker {} is pid {}\n", i, c.pid);
        }
        break;
      }
    }
  }

  ServerConfig config_;
  std::optional<RedisUrl> broker_;
  std::vector<WorkerChild> children_;
  std::unique_ptr<WorkerBoard> board_;
  PortReservation main_port_;
  PortReservation tls_port_;
  sigset_t original_mask_{};
};

}  // namespace

int run_supervisor(ServerConfig config, const std::optional<RedisUrl>& broker, std::size_t workers) {
  Supervisor supervisor(std::move(config), broker, workers);
  return supervisor.run();
}

}  // namespace rtb
