// `rtbench load --procs K`: the clients split over K generator processes (one process may hold only as many
// connections as its descriptor limit allows), started together and kept in step by their parent over a
// line protocol on their stdin and stdout (procs_protocol.md): one publisher (process 0), one measure window
// for all, and their results merged exactly (load_merge.hpp).
#pragma once

#include <cstdint>
#include <string>

#include "harness/scenario/load_config.hpp"
#include "harness/scenario/load_run.hpp"

namespace rtb {

// What the machine allows a run of many connections.
struct ProcsLimits {
  std::uint64_t descriptors = 0;      // per process: the hard RLIMIT_NOFILE
  std::uint64_t ephemeral_ports = 0;  // net.ipv4.ip_local_port_range, per source address and destination
  std::uint64_t memory_bytes = 0;     // MemAvailable
};
ProcsLimits read_procs_limits();

// Memory one connection costs this host beyond the processes' baselines, used to refuse a run that cannot
// fit: both sockets' kernel structures and buffers when the server is on this host, and user memory of the
// generator (and of the server when it is here). A generous bound, not a measurement.
std::uint64_t estimated_bytes_per_connection(bool server_on_this_host);

// "" when `config` fits `limits`, else the sentence that refuses it with the arithmetic (exit 2, before any
// process starts).
std::string procs_capacity_error(const LoadConfig& config, bool server_on_this_host,
                                 const ProcsLimits& limits);

// The clients of generator process `index` of `config.procs`.
std::uint32_t procs_share(const LoadConfig& config, std::uint32_t index);

// Runs the group and merges its results. `observer` sees the group's progress, summed. The processes run
// `executable` (empty: this program, /proc/self/exe) with `load` and the options.
LoadOutcome run_procs_load(const LoadConfig& config, LoadObserver* observer, double progress_interval_s = 0.5,
                           const std::string& executable = {});

}  // namespace rtb
