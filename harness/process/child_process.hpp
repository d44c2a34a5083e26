// ChildProcess: one spawned program (the server, a load generator, a proxy, the plot script), optionally
// pinned to a CPU, whose lifetime its owner holds: it is stopped (SIGINT, then SIGKILL after a grace) and
// reaped when the object goes away, whatever path the owner takes out.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace rtb {

struct SpawnOptions {
  std::string binary;             // path, not searched in PATH
  std::vector<std::string> args;  // argv[1..]
  std::string output_path;        // stdout and stderr appended here; empty: inherit the runner's
  int cpu = -1;                   // sched_setaffinity to this one CPU before exec; -1: no pinning
  bool own_process_group = true;  // a terminal's Ctrl-C reaches the runner only, which then stops us in order
};

class ChildProcess {
 public:
  // nullopt with the reason in *error when fork or exec fails (exec errors are reported, not a silent 127).
  static std::optional<ChildProcess> spawn(const SpawnOptions& options, std::string* error);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();  // stop() with a short grace when still running

  pid_t pid() const { return pid_; }
  // Reaps without blocking; false once the process has exited.
  bool running();
  // True when the process exited within `timeout` (it is reaped then).
  bool wait_for(std::chrono::milliseconds timeout);
  // SIGINT, up to `grace` to exit, then SIGKILL; always reaps. Returns the status as exit_code() would.
  int stop(std::chrono::milliseconds grace = std::chrono::milliseconds(3000));

  // Exit code, or 128 + signal number when a signal ended it; nullopt while running.
  std::optional<int> exit_code() const { return exit_code_; }
  // "exit 0", "killed by signal 9 (Killed)", "running".
  std::string describe_exit() const;

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  void record_status(int status);

  pid_t pid_ = -1;
  std::optional<int> exit_code_;
};

// CPUs this process may run on (sched_getaffinity), ascending.
std::vector<int> allowed_cpus();

}  // namespace rtb
