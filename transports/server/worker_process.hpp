// One server process's life: the loop, the broker, the Worker, signals, until it is stopped. `rtbench serve`
// runs one directly; with --workers N the supervisor runs one per child process.
#pragma once

#include <cstddef>
#include <optional>

#include "transports/redis/redis_url.hpp"
#include "transports/server/server_config.hpp"

namespace rtb {

class WorkerBoard;

// What a worker started by the supervisor is told: where to post its stats, which slot is its own, and the
// pipe on which it says "ok" once it listens (or the line saying why it cannot).
struct WorkerRole {
  WorkerBoard* board = nullptr;
  std::size_t index = 0;
  int ready_fd = -1;
};

// "rtbench serve: listening on http(s)://HOST:PORT" (and the https line of a separate --tls-port) on stdout,
// flushed: what launchers wait for (harness/runner/server_process.hpp parses it).
void print_listening_lines(const ServerConfig& config, int port, int tls_port);

// `config.listen.host` is an address already; `broker` is set with --broker (Redis was reachable at start).
// Without a role it prints the listening lines itself. The exit status of `rtbench serve`.
int run_worker(const ServerConfig& config, const std::optional<RedisUrl>& broker, const WorkerRole* role);

}  // namespace rtb
