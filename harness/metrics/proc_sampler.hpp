// ProcSampler: reads a process's CPU, memory and descriptors and the kernel's TCP counters from Linux /proc,
// with parsers that take the file text so they test on fixed strings.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <vector>
#include <string>
#include <string_view>

namespace rtb {

// sysconf(_SC_PAGESIZE) and sysconf(_SC_CLK_TCK), read once.
uint64_t page_size_bytes();
long clock_ticks_per_second();

struct ProcSample {
  double cpu_user_s = 0;      // utime, since process start
  double cpu_system_s = 0;    // stime, since process start
  uint64_t rss_bytes = 0;     // VmRSS
  uint64_t vm_hwm_bytes = 0;  // VmHWM: peak RSS
  int threads = 0;
  int open_fds = -1;  // entries in /proc/PID/fd; -1 when not readable (another user's process)
  // rchar and wchar of /proc/PID/io: bytes through every read- and write-family system call, sockets
  // included (a proxy's traffic on both its sides); nullopt when not readable (another user's process).
  std::optional<uint64_t> io_read_bytes;
  std::optional<uint64_t> io_write_bytes;
};

// The fields of /proc/PID/stat we use, still in the kernel's units.
struct ProcStat {
  char state = '?';
  uint64_t utime_ticks = 0;
  uint64_t stime_ticks = 0;
  int64_t num_threads = 0;
  uint64_t vsize_bytes = 0;
  int64_t rss_pages = 0;
};

// The "TCP:" line of /proc/net/sockstat. inuse counts IPv4 sockets only (IPv6 ones are in sockstat6); mem is
// the kernel's memory for all TCP socket buffers, in pages.
struct TcpSockstat {
  uint64_t inuse = 0;
  uint64_t orphan = 0;
  uint64_t tw = 0;
  uint64_t alloc = 0;
  uint64_t mem_pages = 0;
  uint64_t mem_bytes(uint64_t page_size = page_size_bytes()) const { return mem_pages * page_size; }
};

// The Tcp: counters of /proc/net/snmp (cumulative since boot, per network namespace; subtract two samples).
struct TcpSnmp {
  uint64_t in_segs = 0;
  uint64_t out_segs = 0;
  uint64_t retrans_segs = 0;
  uint64_t active_opens = 0;
  uint64_t passive_opens = 0;
  uint64_t estab_resets = 0;
};

// The slab caches a TCP socket's kernel structures live in: the tcp_sock, its socket inode, file and dentry,
// and its epoll entry. Their buffers are not here (sockstat's mem counts those).
inline constexpr std::string_view kSocketSlabCaches[] = {"TCP",  "TCPv6",  "sock_inode_cache",
                                                         "filp", "dentry", "eventpoll_epi"};

// Parses from after the LAST ')' because the command name in parentheses may itself contain spaces and ')'.
std::optional<ProcStat> parse_proc_stat(std::string_view text);
// The number in a "Key:   123 kB" line of /proc/PID/status or /proc/meminfo, in kB; the key must match whole.
std::optional<uint64_t> parse_status_kb(std::string_view text, std::string_view key);
// The integer value of a "Key:\t123" line of /proc/PID/status (Threads, FDSize) or /proc/PID/io (rchar).
std::optional<int64_t> parse_status_int(std::string_view text, std::string_view key);
std::optional<TcpSockstat> parse_sockstat(std::string_view text);
// Bytes in kSocketSlabCaches according to /proc/slabinfo (active objects x object size, summed over the ones
// present: merged caches drop out); nullopt without a "TCP" line or on a malformed one.
std::optional<uint64_t> parse_socket_slab_bytes(std::string_view slabinfo);
// Columns are found by name in the "Tcp:" header line, since their order and number vary across kernels.
std::optional<TcpSnmp> parse_snmp(std::string_view text);

// The whole of a /proc file (their reported size is 0, so this reads until EOF). nullopt if it cannot be
// opened.
std::optional<std::string> read_proc_file(const std::string& path);

// nullopt when the process does not exist (any more) or its stat/status are unreadable.
std::optional<ProcSample> sample_process(pid_t pid);
// The children of `pid` (from /proc/PID/task/TID/children, every thread's); empty when it has none or is gone.
std::vector<pid_t> child_pids(pid_t pid);
// `pid` and every descendant summed (CPU, RSS and its peak, threads, descriptors, I/O): a `serve --workers N`
// supervisor with its workers. A process that ends between two samples takes its CPU with it, so a window in
// which a worker died and was restarted is short of the dead one's CPU. nullopt when `pid` is gone.
std::optional<ProcSample> sample_process_tree(pid_t pid);
std::optional<TcpSockstat> read_sockstat();
std::optional<TcpSnmp> read_snmp();
// nullopt when /proc/slabinfo is unreadable (it is root-only).
std::optional<uint64_t> read_socket_slab_bytes();

}  // namespace rtb
