#include "harness/metrics/tcp_info.hpp"

#include <dirent.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unordered_map>

namespace rtb {

std::optional<TcpSegmentCount> read_tcp_segments(int fd) {
  tcp_info info{};
  socklen_t len = sizeof info;
  if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return std::nullopt;
  // tcpi_segs_in is the last of the two; an older kernel returns a shorter struct without them.
  if (len < offsetof(tcp_info, tcpi_segs_in) + sizeof info.tcpi_segs_in) return std::nullopt;
  return TcpSegmentCount{info.tcpi_segs_out, info.tcpi_segs_in};
}

std::vector<OwnSocket> read_own_tcp_sockets() {
  std::vector<OwnSocket> out;
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return out;
  const int dir_fd = ::dirfd(dir);
  while (dirent* e = ::readdir(dir)) {
    char* end = nullptr;
    const long fd = std::strtol(e->d_name, &end, 10);
    if (end == e->d_name || *end != '\0' || fd == dir_fd) continue;
    struct stat st {};
    if (::fstat(static_cast<int>(fd), &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
    auto count = read_tcp_segments(static_cast<int>(fd));
    if (!count) continue;
    out.push_back(OwnSocket{static_cast<std::uint64_t>(st.st_ino), *count});
  }
  ::closedir(dir);
  return out;
}

OwnSegments own_segments_between(const std::vector<OwnSocket>& start, const std::vector<OwnSocket>& end) {
  std::unordered_map<std::uint64_t, TcpSegmentCount> before;
  for (const auto& s : start) before[s.inode] = s.count;
  OwnSegments d;
  for (const auto& s : end) {
    TcpSegmentCount base;
    if (auto it = before.find(s.inode); it != before.end()) {
      base = it->second;
      before.erase(it);
    } else {
      ++d.sockets_new;
    }
    // The counters are 32-bit in the kernel: unsigned 32-bit differences survive one wrap.
    d.segments += static_cast<std::uint32_t>(s.count.segs_out - base.segs_out);
    d.segments += static_cast<std::uint32_t>(s.count.segs_in - base.segs_in);
    ++d.sockets;
  }
  d.sockets_gone = before.size();
  return d;
}

std::optional<HostCpu> parse_host_cpu(const char* text, long ticks_per_s) {
  if (text == nullptr || std::strncmp(text, "cpu ", 4) != 0 || ticks_per_s <= 0) return std::nullopt;
  unsigned long long v[8] = {};
  const int n = std::sscanf(text + 4, "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
                            &v[4], &v[5], &v[6], &v[7]);
  if (n < 4) return std::nullopt;
  // user nice system idle iowait irq softirq steal
  const double tick = 1.0 / static_cast<double>(ticks_per_s);
  const double busy = static_cast<double>(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) * tick;
  const double idle = static_cast<double>(v[3] + v[4]) * tick;
  return HostCpu{busy, busy + idle};
}

std::optional<HostCpu> read_host_cpu() {
  std::FILE* f = std::fopen("/proc/stat", "r");
  if (f == nullptr) return std::nullopt;
  char line[512];
  const bool ok = std::fgets(line, sizeof line, f) != nullptr;
  std::fclose(f);
  if (!ok) return std::nullopt;
  return parse_host_cpu(line, ::sysconf(_SC_CLK_TCK));
}

double process_cpu_seconds() {
  rusage usage{};
  if (::getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  auto secs = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; };
  return secs(usage.ru_utime) + secs(usage.ru_stime);
}

}  // namespace rtb
