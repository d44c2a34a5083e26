// MachineInfo: the host facts a results file records so a reader can judge and reproduce the numbers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "harness/metrics/json.hpp"

namespace rtb {

struct MachineInfo {
  std::string hostname;
  std::string kernel;     // uname: "<sysname> <release> <machine>", e.g. "Linux 6.1.0-18-amd64 x86_64"
  std::string cpu_model;  // first "model name" of /proc/cpuinfo, "unknown" when absent (some ARM kernels)
  int cores = 0;          // online logical CPUs, sysconf(_SC_NPROCESSORS_ONLN)
  uint64_t mem_total_bytes = 0;   // MemTotal of /proc/meminfo
  uint64_t open_files_limit = 0;  // soft RLIMIT_NOFILE (what bounds our connections); UINT64_MAX if unlimited
};

// The value of the first "model name" line of /proc/cpuinfo text, whitespace-trimmed.
std::optional<std::string> parse_cpuinfo_model(std::string_view cpuinfo);

// Never fails: a fact that cannot be read stays at its empty/zero default ("unknown" for cpu_model).
MachineInfo read_machine_info();

// Writes the fields as key/value pairs into the object the writer currently has open.
void write_machine_info(Json& json, const MachineInfo& info);

}  // namespace rtb
