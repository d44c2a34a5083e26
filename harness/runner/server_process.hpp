// ServerProcess: `rtbench serve --port 0` started as its own (pinned) process, ready once it has printed the
// address it listens on.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/process/child_process.hpp"

namespace rtb {

class ServerProcess {
 public:
  // Spawns `binary args...` with stdout and stderr in `log_path` and waits up to `timeout` for the line
  // "rtbench serve: listening on http://HOST:PORT". nullopt with the reason (and the log's tail) otherwise;
  // the process is stopped then.
  static std::optional<ServerProcess> start(const std::string& binary, const std::vector<std::string>& args,
                                            const std::string& log_path, int cpu, std::string* error,
                                            std::chrono::milliseconds timeout = std::chrono::seconds(10));

  const std::string& url() const { return url_; }  // "http://127.0.0.1:41234"
  int port() const { return port_; }
  pid_t pid() const { return process_.pid(); }
  bool running() { return process_.running(); }
  // SIGINT, then SIGKILL after `grace`. Returns the exit code (0 after a clean shutdown).
  int stop(std::chrono::milliseconds grace = std::chrono::milliseconds(3000)) { return process_.stop(grace); }
  std::string describe_exit() const { return process_.describe_exit(); }

 private:
  ServerProcess(ChildProcess process, std::string url, int port)
      : process_(std::move(process)), url_(std::move(url)), port_(port) {}

  ChildProcess process_;
  std::string url_;
  int port_ = 0;
};

// The URL in a "rtbench serve: listening on http(s)://HOST:PORT" line of `text` (the first), and its port;
// nullopt when there is no such line yet.
std::optional<std::pair<std::string, int>> parse_listening_line(std::string_view text);

}  // namespace rtb
