#include "harness/metrics/machine_info.hpp"

#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "harness/metrics/proc_sampler.hpp"

namespace rtb {
namespace {

std::string_view trim(std::string_view s) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::string> parse_cpuinfo_model(std::string_view cpuinfo) {
  while (!cpuinfo.empty()) {
    const std::size_t nl = cpuinfo.find('\n');
    const std::string_view line = cpuinfo.substr(0, nl);
    const std::size_t colon = line.find(':');
    if (colon != std::string_view::npos && trim(line.substr(0, colon)) == "model name") {
      return std::string(trim(line.substr(colon + 1)));
    }
    if (nl == std::string_view::npos) break;
    cpuinfo.remove_prefix(nl + 1);
  }
  return std::nullopt;
}

MachineInfo read_machine_info() {
  MachineInfo info;
  utsname u{};
  if (uname(&u) == 0) {
    info.hostname = u.nodename;
    info.kernel = std::string(u.sysname) + " " + u.release + " " + u.machine;
  }
  const std::optional<std::string> cpuinfo = read_proc_file("/proc/cpuinfo");
  info.cpu_model = (cpuinfo ? parse_cpuinfo_model(*cpuinfo) : std::nullopt).value_or("unknown");
  const long cores = sysconf(_SC_NPROCESSORS_ONLN);
  info.cores = cores > 0 ? static_cast<int>(cores) : 0;
  if (const std::optional<std::string> meminfo = read_proc_file("/proc/meminfo")) {
    info.mem_total_bytes = parse_status_kb(*meminfo, "MemTotal").value_or(0) * 1024;
  }
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    info.open_files_limit =
        limit.rlim_cur == RLIM_INFINITY ? UINT64_MAX : static_cast<uint64_t>(limit.rlim_cur);
  }
  return info;
}

void write_machine_info(Json& json, const MachineInfo& info) {
  json["hostname"] = info.hostname;
  json["kernel"] = info.kernel;
  json["cpu_model"] = info.cpu_model;
  json["cores"] = info.cores;
  json["mem_total_bytes"] = info.mem_total_bytes;
  json["open_files_limit"] = info.open_files_limit;
}

}  // namespace rtb
