#include "harness/metrics/machine_facts.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/crypto.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <vector>

#include "harness/metrics/proc_sampler.hpp"

extern char** environ;

namespace rtb {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// The first line of a one-line /proc/sys file, tabs as spaces ("32768\t60999" -> "32768 60999"); "" when
// unreadable.
std::string first_line(const std::string& path) {
  const std::optional<std::string> text = read_proc_file(path);
  if (!text) return {};
  std::string line = text->substr(0, text->find('\n'));
  for (char& c : line) {
    if (c == '\t') c = ' ';
  }
  return line;
}

struct OpenFilesLimits {
  uint64_t soft = 0, hard = 0;
};

OpenFilesLimits open_files_limits() {
  const auto value = [](rlim_t v) { return v == RLIM_INFINITY ? UINT64_MAX : static_cast<uint64_t>(v); };
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return {};
  return {value(limit.rlim_cur), value(limit.rlim_max)};
}

// The first line `argv` writes to stdout, run without a shell (so a path needs no quoting) and with stderr
// discarded; "" when it cannot start or exits unsuccessfully.
std::string first_output_line(const std::vector<std::string>& argv) {
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return {};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int spawned = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  std::string text;
  if (spawned == 0) {
    char buffer[256];
    ssize_t n = 0;
    while ((n = read(out[0], buffer, sizeof buffer)) != 0) {
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) break;
      text.append(buffer, static_cast<std::size_t>(n));
    }
  }
  close(out[0]);
  if (spawned != 0) return {};
  int status = 0;
  pid_t waited = -1;
  while ((waited = waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
  }
  if (waited != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return {};
  return std::string(trim(text.substr(0, text.find('\n'))));
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

std::string parse_load_average(std::string_view loadavg) {
  std::string out;
  for (int field = 0; field < 3; ++field) {
    while (!loadavg.empty() && is_space(loadavg.front())) loadavg.remove_prefix(1);
    std::size_t end = 0;
    while (end < loadavg.size() && !is_space(loadavg[end])) ++end;
    if (end == 0) return {};
    if (!out.empty()) out += ' ';
    out += loadavg.substr(0, end);
    loadavg.remove_prefix(end);
  }
  return out;
}

std::string read_load_average() {
  return parse_load_average(read_proc_file("/proc/loadavg").value_or(""));
}

double one_minute_load(const std::string& load_average) {
  char* end = nullptr;
  const double v = std::strtod(load_average.c_str(), &end);
  return end == load_average.c_str() ? std::nan("") : v;
}

HostFacts read_host_facts() {
  HostFacts f;
  utsname u{};
  if (uname(&u) == 0) {
    f.hostname = u.nodename;
    f.kernel = std::string(u.sysname) + " " + u.release + " " + u.machine;
  }
  const std::optional<std::string> cpuinfo = read_proc_file("/proc/cpuinfo");
  f.cpu_model = (cpuinfo ? parse_cpuinfo_model(*cpuinfo) : std::nullopt).value_or("unknown");
  const long cores = sysconf(_SC_NPROCESSORS_ONLN);
  f.cores = cores > 0 ? static_cast<int>(cores) : 0;
  if (const std::optional<std::string> meminfo = read_proc_file("/proc/meminfo")) {
    f.mem_total_bytes = parse_status_kb(*meminfo, "MemTotal").value_or(0) * 1024;
  }
  f.open_files_limit = open_files_limits().soft;
  return f;
}

SystemFacts read_system_facts(const std::string& python) {
  SystemFacts f;
  f.load_average = read_load_average();
  const OpenFilesLimits nofile = open_files_limits();
  f.open_files_soft = nofile.soft;
  f.open_files_hard = nofile.hard;
  f.somaxconn = first_line("/proc/sys/net/core/somaxconn");
  f.ip_local_port_range = first_line("/proc/sys/net/ipv4/ip_local_port_range");
  f.tcp_timestamps = first_line("/proc/sys/net/ipv4/tcp_timestamps");
#if defined(__clang__)
  f.compiler = "clang " __clang_version__;
#elif defined(__GNUC__)
  f.compiler = "gcc " __VERSION__;
#endif
  f.libuv = uv_version_string();
  f.openssl = OpenSSL_version(OPENSSL_VERSION);
  f.fmt = fmt::format("{}.{}.{}", FMT_VERSION / 10000, FMT_VERSION / 100 % 100, FMT_VERSION % 100);
  if (!python.empty()) {
    f.python = first_output_line({python, "-c", "import platform; print(platform.python_version())"});
    f.matplotlib = first_output_line({python, "-c", "import matplotlib; print(matplotlib.__version__)"});
  }
  return f;
}

void write_host_facts(Json& json, const HostFacts& f) {
  json["hostname"] = f.hostname;
  json["kernel"] = f.kernel;
  json["cpu_model"] = f.cpu_model;
  json["cores"] = f.cores;
  json["mem_total_bytes"] = f.mem_total_bytes;
  json["open_files_limit"] = f.open_files_limit;
}

void write_system_facts(Json& json, const SystemFacts& f) {
  json["open_files_soft"] = f.open_files_soft;
  json["open_files_hard"] = f.open_files_hard;
  json["somaxconn"] = f.somaxconn;
  json["ip_local_port_range"] = f.ip_local_port_range;
  json["tcp_timestamps"] = f.tcp_timestamps;
  json["compiler"] = f.compiler;
  json["libuv"] = f.libuv;
  json["openssl"] = f.openssl;
  json["fmt"] = f.fmt;
  json["load_average_at_start"] = f.load_average;
  json["python"] = f.python;
  json["matplotlib"] = f.matplotlib;
}

}  // namespace rtb
