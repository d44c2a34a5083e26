#include "harness/runner/system_facts.hpp"

#include <fmt/format.h>
#include <sys/resource.h>
#include <uv.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "harness/scenario/run_metadata.hpp"

namespace rtb {

namespace {

std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  for (auto& c : line) {
    if (c == '\t') c = ' ';
  }
  return line;
}

// One line of a command's stdout; "" when it fails. Only fixed commands built here are run.
std::string command_line_output(const std::string& command) {
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return {};
  char buffer[256] = {};
  std::string out;
  if (std::fgets(buffer, sizeof buffer, pipe) != nullptr) out = buffer;
  if (::pclose(pipe) != 0) return {};
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

std::uint64_t limit_value(rlim_t v) {
  return v == RLIM_INFINITY ? UINT64_MAX : static_cast<std::uint64_t>(v);
}

}  // namespace

std::string read_load_average() {
  std::istringstream in(first_line("/proc/loadavg"));
  std::string one, five, fifteen;
  if (!(in >> one >> five >> fifteen)) return {};
  return one + " " + five + " " + fifteen;
}

double one_minute_load(const std::string& load_average) {
  char* end = nullptr;
  double v = std::strtod(load_average.c_str(), &end);
  return end == load_average.c_str() ? std::nan("") : v;
}

SystemFacts read_system_facts(const std::string& python) {
  SystemFacts f;
  f.load_average = read_load_average();
  rlimit nofile{};
  if (::getrlimit(RLIMIT_NOFILE, &nofile) == 0) {
    f.open_files_soft = limit_value(nofile.rlim_cur);
    f.open_files_hard = limit_value(nofile.rlim_max);
  }
  f.somaxconn = first_line("/proc/sys/net/core/somaxconn");
  f.ip_local_port_range = first_line("/proc/sys/net/ipv4/ip_local_port_range");
  f.tcp_timestamps = first_line("/proc/sys/net/ipv4/tcp_timestamps");
#if defined(__clang__)
  f.compiler = "clang " __clang_version__;
#elif defined(__GNUC__)
  f.compiler = "gcc " __VERSION__;
#endif
  f.libuv = uv_version_string();
  f.fmt = fmt::format("{}.{}.{}", FMT_VERSION / 10000, FMT_VERSION / 100 % 100, FMT_VERSION % 100);
  if (!python.empty()) {
    const std::string py = shell_join({python});
    f.python =
        command_line_output(py + " -c 'import platform; print(platform.python_version())' 2>/dev/null");
    f.matplotlib =
        command_line_output(py + " -c 'import matplotlib; print(matplotlib.__version__)' 2>/dev/null");
  }
  return f;
}

void write_system_facts(Json& json, const SystemFacts& f) {
  json["open_files_soft"] = f.open_files_soft;
  json["open_files_hard"] = f.open_files_hard;
  json["somaxconn"] = f.somaxconn;
  json["ip_local_port_range"] = f.ip_local_port_range;
  json["tcp_timestamps"] = f.tcp_timestamps;
  json["compiler"] = f.compiler;
  json["libuv"] = f.libuv;
  json["fmt"] = f.fmt;
  json["load_average_at_start"] = f.load_average;
  json["python"] = f.python;
  json["matplotlib"] = f.matplotlib;
}

}  // namespace rtb
