// Machine facts: what a results file records about the machine and build that made it, so a reader can judge
// the numbers, compare them with another machine's and reproduce them. Every reading of uname, sysconf,
// rlimits, /proc and tool versions for that purpose is here, once.
//
// Two groups, one per JSON object: HostFacts is the `host` of every results file (cheap, read per run);
// SystemFacts is the `system` of a suite's metadata.json (kernel network settings, limits, build and plot
// tool versions; it starts the plot interpreter, so it is read once per suite).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "harness/metrics/json.hpp"

namespace rtb {

struct HostFacts {
  std::string hostname;
  std::string kernel;     // uname: "<sysname> <release> <machine>", e.g. "Linux 6.1.0-18-amd64 x86_64"
  std::string cpu_model;  // first "model name" of /proc/cpuinfo, "unknown" when absent (some ARM kernels)
  int cores = 0;          // online logical CPUs, sysconf(_SC_NPROCESSORS_ONLN)
  uint64_t mem_total_bytes = 0;   // MemTotal of /proc/meminfo
  uint64_t open_files_limit = 0;  // soft RLIMIT_NOFILE (what bounds our connections); UINT64_MAX if unlimited
};

// The settings, limits and tool versions that decide whether a suite's numbers can be compared with another
// machine's (somaxconn, port range, TCP timestamps, ulimit -n).
struct SystemFacts {
  uint64_t open_files_soft = 0;     // ulimit -n; UINT64_MAX if unlimited
  uint64_t open_files_hard = 0;     // UINT64_MAX if unlimited
  std::string somaxconn;            // /proc/sys/net/core/somaxconn
  std::string ip_local_port_range;  // "32768 60999"
  std::string tcp_timestamps;       // "1": each segment carries 12 more option bytes (the ~52 B per segment)
  std::string compiler;             // the compiler that built rtbench
  std::string libuv;
  std::string openssl;  // the library TLS runs use (OpenSSL_version)
  std::string fmt;
  std::string load_average;  // /proc/loadavg's 1, 5 and 15 minute figures when read: other work on the host
  std::string python;        // the plot script's interpreter, "" when absent
  std::string matplotlib;    // "" when the interpreter has none
};

// Never fails: a fact that cannot be read stays at its empty/zero default ("unknown" for cpu_model).
HostFacts read_host_facts();
// Never fails: what cannot be read stays empty. `python` (a path, or a name looked up in PATH) is the
// interpreter the plots will use; "" skips asking it.
SystemFacts read_system_facts(const std::string& python);

// Write the fields as key/value pairs into `json`, an object.
void write_host_facts(Json& json, const HostFacts& facts);
void write_system_facts(Json& json, const SystemFacts& facts);

// The value of the first "model name" line of /proc/cpuinfo text, whitespace-trimmed.
std::optional<std::string> parse_cpuinfo_model(std::string_view cpuinfo);

// "0.52 0.61 0.70": the 1, 5 and 15 minute load averages now; "" when unreadable.
std::string read_load_average();
// The 1, 5 and 15 minute figures of /proc/loadavg text, space-separated; "" when it has fewer than three.
std::string parse_load_average(std::string_view loadavg);
// The 1-minute figure of such a string, NaN when there is none.
double one_minute_load(const std::string& load_average);

}  // namespace rtb
