// SystemFacts: the kernel settings, limits and tool versions beside the machine info that decide whether a
// suite's numbers can be compared with another machine's (somaxconn, port range, TCP timestamps, ulimit -n).
#pragma once

#include <cstdint>
#include <string>

#include "harness/metrics/json.hpp"

namespace rtb {

struct SystemFacts {
  std::uint64_t open_files_soft = 0;  // ulimit -n
  std::uint64_t open_files_hard = 0;
  std::string somaxconn;            // /proc/sys/net/core/somaxconn
  std::string ip_local_port_range;  // "32768 60999"
  std::string tcp_timestamps;       // "1": each segment carries 12 more option bytes (the ~52 B per segment)
  std::string compiler;             // the compiler that built rtbench
  std::string libuv;
  std::string fmt;
  std::string load_average;  // /proc/loadavg's 1, 5 and 15 minute figures when read: other work on the host
  std::string python;        // the plot script's interpreter, "" when absent
  std::string matplotlib;    // "" when the interpreter has none
};

// Never fails: what cannot be read stays empty. `python` is the interpreter the plots will use.
SystemFacts read_system_facts(const std::string& python);

// "0.52 0.61 0.70": the 1, 5 and 15 minute load averages now; "" when unreadable.
std::string read_load_average();
// The 1-minute figure of such a string, NaN when there is none.
double one_minute_load(const std::string& load_average);

void write_system_facts(Json& json, const SystemFacts& facts);

}  // namespace rtb
