// RedisServerProcess: a redis-server of our own for a test or a run: on a free 127.0.0.1 port, without
// persistence (--save '' --appendonly no), its log in a folder of the caller's, stopped by PID when the
// object goes. It can be killed (a crash) and started again on the same port, empty, as a restarted Redis is.
#pragma once

#include <optional>
#include <string>

#include "harness/process/child_process.hpp"

namespace rtb {

class RedisServerProcess {
 public:
  static constexpr const char* kBinary = "/usr/bin/redis-server";  // Debian's redis-server package
  static bool installed();

  // nullopt with the reason (not installed, would not start: the log's tail) in *why. `cpu` pins it (-1: no).
  static std::optional<RedisServerProcess> start(const std::string& work_dir, std::string* why, int cpu = -1);

  int port() const { return port_; }
  pid_t pid() const { return child_ ? child_->pid() : -1; }
  // "redis://127.0.0.1:PORT/PREFIX", for --broker.
  std::string url(const std::string& prefix = "rtb") const;
  // SIGKILL and reap: every connection to it is reset, everything it held is gone.
  void kill();
  // After kill(): the same port again (false with the reason when it will not come up).
  bool restart(std::string* why);
  // SIGINT, then SIGKILL after a grace; reaped.
  void stop();

 private:
  RedisServerProcess(std::string work_dir, int port) : work_dir_(std::move(work_dir)), port_(port) {}
  bool launch(std::string* why);

  std::string work_dir_;
  int port_;
  int cpu_ = -1;
  std::optional<ChildProcess> child_;
};

}  // namespace rtb
