#include "harness/process/redis_server_process.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <thread>

#include "harness/process/file_tail.hpp"
#include "harness/process/loopback_port.hpp"

namespace rtb {

namespace {
constexpr auto kStartTimeout = std::chrono::seconds(5);
constexpr int kPortAttempts = 4;
}  // namespace

bool RedisServerProcess::installed() {
  return ::access(kBinary, X_OK) == 0;
}

std::optional<RedisServerProcess> RedisServerProcess::start(const std::string& work_dir, std::string* why,
                                                            int cpu) {
  if (!installed()) {
    *why = fmt::format("{} is not installed (apt-get install redis-server, or scripts/install-deps.sh)",
                       kBinary);
    return std::nullopt;
  }
  for (int attempt = 0; attempt < kPortAttempts; ++attempt) {
    const int port = pick_free_port(why);
    if (port < 0) return std::nullopt;
    RedisServerProcess redis(work_dir, port);
    redis.cpu_ = cpu;
    if (redis.launch(why)) return redis;
  }
  return std::nullopt;
}

std::string RedisServerProcess::url(const std::string& prefix) const {
  return fmt::format("redis://127.0.0.1:{}/{}", port_, prefix);
}

bool RedisServerProcess::launch(std::string* why) {
  const std::string log = fmt::format("{}/redis-{}.log", work_dir_, port_);
  SpawnOptions spawn;
  spawn.binary = kBinary;
  // No persistence and no protected-mode surprises; bound to loopback only.
  spawn.args = {
      "--port",  std::to_string(port_), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir",
      work_dir_, "--logfile",           ""};
  spawn.output_path = log;
  spawn.cpu = cpu_;
  auto child = ChildProcess::spawn(spawn, why);
  if (!child) return false;
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!child->running()) {
      *why = fmt::format("redis-server exited ({}) on port {}; the end of its log {}:\n{}",
                         child->describe_exit(), port_, log, file_tail(log));
      return false;
    }
    if (port_accepts(port_, std::chrono::milliseconds(200))) {
      child_ = std::move(child);
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  child->stop();
  *why = fmt::format("redis-server did not accept on 127.0.0.1:{} within {} s; the end of its log {}:\n{}",
                     port_, std::chrono::duration_cast<std::chrono::seconds>(kStartTimeout).count(), log,
                     file_tail(log));
  return false;
}

void RedisServerProcess::kill() {
  if (!child_) return;
  ::kill(child_->pid(), SIGKILL);
  child_->wait_for(std::chrono::seconds(5));
  child_.reset();
}

bool RedisServerProcess::restart(std::string* why) {
  kill();
  return launch(why);
}

void RedisServerProcess::stop() {
  if (child_) child_->stop(std::chrono::milliseconds(2000));
  child_.reset();
}

}  // namespace rtb
