// TcpInfo: TCP segments counted per socket (getsockopt TCP_INFO: tcpi_segs_out, tcpi_segs_in) on this
// process's own sockets, so traffic of other processes on the host cannot enter a run's figure, and the
// host's CPU time (/proc/stat) to tell how much else ran during a window.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace rtb {

struct TcpSegmentCount {
  std::uint64_t segs_out = 0;  // segments sent, retransmissions and pure ACKs included
  std::uint64_t segs_in = 0;   // segments received
};

// TCP_INFO of one socket; nullopt when `fd` is not a TCP socket (or the kernel lacks the fields, < 4.2).
std::optional<TcpSegmentCount> read_tcp_segments(int fd);

// Every TCP socket this process holds open, named by its inode (an fd number is reused, an inode is not).
struct OwnSocket {
  std::uint64_t inode = 0;
  TcpSegmentCount count;
};
std::vector<OwnSocket> read_own_tcp_sockets();

// Segments of this process's sockets between two readings: for a socket open at both, the difference; for
// one opened in between, all of its segments. A socket open at the start and closed before the end took its
// count with it: it is counted in `sockets_gone`, and the segments are then a lower bound.
struct OwnSegments {
  std::uint64_t segments = 0;  // out + in: on loopback every segment of a connection once (one end sends it)
  std::uint64_t sockets = 0;   // sockets counted
  std::uint64_t sockets_gone = 0;
  std::uint64_t sockets_new = 0;  // of `sockets`, those opened in between
};
OwnSegments own_segments_between(const std::vector<OwnSocket>& start, const std::vector<OwnSocket>& end);

// CPU time of the whole host from the first line of /proc/stat, seconds: busy (user, nice, system, irq,
// softirq, steal) and all (busy + idle + iowait).
struct HostCpu {
  double busy_s = 0;
  double all_s = 0;
};
std::optional<HostCpu> read_host_cpu();
// The same, parsed from the text of /proc/stat (for tests).
std::optional<HostCpu> parse_host_cpu(const char* proc_stat_text, long ticks_per_s);

// CPU seconds (user + system) of this whole process, every thread.
double process_cpu_seconds();

}  // namespace rtb
