#include "harness/metrics/proc_sampler.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <sys/resource.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <vector>

namespace rtb {
namespace {

// A comm of "x) (y) z" (spaces and parentheses, as prctl(PR_SET_NAME) allows), then the proc(5) fields 3..52.
constexpr std::string_view kStat =
    "4242 (x) (y) z) S 1 4242 4242 0 -1 4194560 1234 0 5 0 250 75 3 4 20 0 7 0 123456 104857600 2560 "
    "18446744073709551615 1 1 0 0 0 0 0 4096 17256 0 0 0 17 3 0 0 0 0 0 0 0 0 0 0 0 0 0\n";

constexpr std::string_view kStatus =
    "Name:\trtbench\n"
    "Umask:\t0022\n"
    "State:\tS (sleeping)\n"
    "VmPeak:\t  123456 kB\n"
    "VmSize:\t  120000 kB\n"
    "VmHWM:\t    8888 kB\n"
    "VmRSS:\t    7777 kB\n"
    "RssAnon:\t    1000 kB\n"
    "Threads:\t7\n";

TEST(ProcParseTest, StatWithSpacesAndParenthesesInComm) {
  const std::optional<ProcStat> s = parse_proc_stat(kStat);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->state, 'S');
  EXPECT_EQ(s->utime_ticks, 250u);
  EXPECT_EQ(s->stime_ticks, 75u);
  EXPECT_EQ(s->num_threads, 7);
  EXPECT_EQ(s->vsize_bytes, 104857600u);
  EXPECT_EQ(s->rss_pages, 2560);
}

TEST(ProcParseTest, StatRejectsTruncatedOrMalformed) {
  EXPECT_FALSE(parse_proc_stat("").has_value());
  EXPECT_FALSE(parse_proc_stat("4242 (x) S 1 4242").has_value());
  EXPECT_FALSE(
      parse_proc_stat("4242 x S 1 4242 4242 0 -1 4194560 1234 0 5 0 250 75 3 4 20 0 7 0 1 2 3").has_value());
  EXPECT_FALSE(parse_proc_stat("4242 (x) S 1 4242 4242 0 -1 4194560 1234 0 5 0 2x0 75 3 4 20 0 7 0 1 2 3")
                   .has_value());
}

TEST(ProcParseTest, StatusKbMatchesWholeKey) {
  EXPECT_EQ(parse_status_kb(kStatus, "VmRSS"), std::optional<uint64_t>(7777));
  EXPECT_EQ(parse_status_kb(kStatus, "VmHWM"), std::optional<uint64_t>(8888));
  EXPECT_EQ(parse_status_kb(kStatus, "VmRS"), std::nullopt);
  EXPECT_EQ(parse_status_kb(kStatus, "Vm"), std::nullopt);
  EXPECT_EQ(parse_status_kb(kStatus, "VmSwap"), std::nullopt);
  EXPECT_EQ(parse_status_kb("MemTotal:       24683620 kB\nMemFree:  1 kB\n", "MemTotal"),
            std::optional<uint64_t>(24683620));
  EXPECT_EQ(parse_status_kb("VmRSS:\t 7777 kB\nVmRS:\t 5 kB\n", "VmRS"), std::optional<uint64_t>(5));
  EXPECT_EQ(parse_status_int(kStatus, "Threads"), std::optional<int64_t>(7));
  EXPECT_EQ(parse_status_int(kStatus, "Name"), std::nullopt);
}

TEST(ProcParseTest, Sockstat) {
  const std::optional<TcpSockstat> s = parse_sockstat(
      "sockets: used 290\n"
      "TCP: inuse 5 orphan 1 tw 3 alloc 7 mem 12\n"
      "UDP: inuse 3 mem 2\n");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->inuse, 5u);
  EXPECT_EQ(s->orphan, 1u);
  EXPECT_EQ(s->tw, 3u);
  EXPECT_EQ(s->alloc, 7u);
  EXPECT_EQ(s->mem_pages, 12u);
  EXPECT_EQ(s->mem_bytes(4096), 12u * 4096u);
  EXPECT_EQ(s->mem_bytes(), 12u * static_cast<uint64_t>(sysconf(_SC_PAGESIZE)));
  EXPECT_FALSE(parse_sockstat("sockets: used 1\nUDP: inuse 3 mem 2\n").has_value());
  EXPECT_FALSE(parse_sockstat("TCP: inuse 5 orphan 1 tw 3 alloc 7\n").has_value());
}

TEST(ProcParseTest, SocketSlabSumsTheSocketCachesOnly) {
  constexpr const char* kSlabinfo =
      "slabinfo - version: 2.1\n"
      "# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables ...\n"
      "TCPv6                 13     13   2496   13    8 : tunables    0    0    0 : slabdata      1      1   "
      "   0\n"
      "TCP                   53    104   2368   13    8 : tunables    0    0    0 : slabdata      8      8   "
      "   0\n"
      "eventpoll_epi        672    672    128   32    1 : tunables    0    0    0 : slabdata     21     21   "
      "   0\n"
      "sock_inode_cache     300    304    832   19    4 : tunables    0    0    0 : slabdata     16     16   "
      "   0\n"
      "filp                 630    630    192   21    1 : tunables    0    0    0 : slabdata     30     30   "
      "   0\n"
      "dentry              1000   1050    192   21    1 : tunables    0    0    0 : slabdata     50     50   "
      "   0\n"
      "kmalloc-2k           204    272   2048   16    8 : tunables    0    0    0 : slabdata     17     17   "
      "   0\n"
      "TCPish                 9      9   9999    1    1 : tunables    0    0    0 : slabdata      9      9   "
      "   0\n";
  EXPECT_EQ(
      parse_socket_slab_bytes(kSlabinfo),
      std::optional<uint64_t>(13u * 2496 + 53u * 2368 + 672u * 128 + 300u * 832 + 630u * 192 + 1000u * 192));
  // Without the TCP cache the figure would not be a socket's.
  EXPECT_EQ(parse_socket_slab_bytes("filp 630 630 192 21 1\n"), std::nullopt);
  EXPECT_EQ(parse_socket_slab_bytes("TCP 53 104 big 13 8\n"), std::nullopt);
  EXPECT_EQ(parse_socket_slab_bytes("TCP 53 104\n"), std::nullopt);
}

TEST(ProcParseTest, SnmpByColumnName) {
  const std::optional<TcpSnmp> s = parse_snmp(
      "Ip: Forwarding DefaultTTL InReceives\n"
      "Ip: 2 64 920\n"
      "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab "
      "InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors\n"
      "Tcp: 1 200 120000 -1 19 8 0 4 0 893 732 6 0 2 0\n"
      "Udp: InDatagrams NoPorts\n"
      "Udp: 5 6\n");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->active_opens, 19u);
  EXPECT_EQ(s->passive_opens, 8u);
  EXPECT_EQ(s->estab_resets, 4u);
  EXPECT_EQ(s->in_segs, 893u);
  EXPECT_EQ(s->out_segs, 732u);
  EXPECT_EQ(s->retrans_segs, 6u);

  // Columns in another order (and one extra) still land by name.
  const std::optional<TcpSnmp> r = parse_snmp(
      "Tcp: OutSegs Future InSegs EstabResets RetransSegs PassiveOpens ActiveOpens\n"
      "Tcp: 1 2 3 4 5 6 7\n");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->out_segs, 1u);
  EXPECT_EQ(r->in_segs, 3u);
  EXPECT_EQ(r->estab_resets, 4u);
  EXPECT_EQ(r->retrans_segs, 5u);
  EXPECT_EQ(r->passive_opens, 6u);
  EXPECT_EQ(r->active_opens, 7u);

  EXPECT_FALSE(parse_snmp("Tcp: InSegs OutSegs\nTcp: 1 2\n").has_value());  // columns missing
  EXPECT_FALSE(parse_snmp("Tcp: OutSegs Future InSegs EstabResets RetransSegs PassiveOpens ActiveOpens\n"
                          "Tcp: 1 2 3 4 5 6\n")
                   .has_value());  // value count differs from header
  EXPECT_FALSE(parse_snmp("").has_value());
}

TEST(ProcSamplerTest, SamplesThisProcess) {
  const std::optional<ProcSample> before = sample_process(getpid());
  ASSERT_TRUE(before.has_value());
  EXPECT_GE(before->threads, 1);
  EXPECT_GT(before->rss_bytes, 0u);
  EXPECT_GE(before->vm_hwm_bytes, before->rss_bytes);
  EXPECT_GE(before->cpu_user_s + before->cpu_system_s, 0.0);
  EXPECT_GE(before->open_fds, 3);

  // Count open descriptors independently of /proc: probe every possible one with fcntl.
  rlimit limit{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
  const int probe_to = static_cast<int>(std::min<rlim_t>(limit.rlim_cur, 1 << 20));
  int probed = 0;
  for (int fd = 0; fd < probe_to; ++fd) probed += fcntl(fd, F_GETFD) != -1 ? 1 : 0;
  EXPECT_EQ(before->open_fds, probed);

  const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  const std::optional<ProcSample> after = sample_process(getpid());
  ::close(fd);
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->open_fds, before->open_fds + 1);
}

TEST(ProcSamplerTest, MissingProcessIsNullopt) {
  EXPECT_FALSE(sample_process(INT_MAX).has_value());
}

TEST(ProcSamplerTest, SystemCountersReadable) {
  EXPECT_TRUE(read_sockstat().has_value());
  EXPECT_TRUE(read_snmp().has_value());
  // slabinfo is root-only: where it is readable it must parse.
  if (access("/proc/slabinfo", R_OK) == 0) {
    const std::optional<uint64_t> slab = read_socket_slab_bytes();
    ASSERT_TRUE(slab.has_value());
    EXPECT_GT(*slab, 0u);
  }
  EXPECT_EQ(page_size_bytes(), static_cast<uint64_t>(sysconf(_SC_PAGESIZE)));
  EXPECT_EQ(clock_ticks_per_second(), sysconf(_SC_CLK_TCK));
}

// A child that holds 64 MiB: the tree counts it, the process alone does not; once it is gone, neither does
// the tree.
TEST(ProcSampler, TheTreeAddsEveryChild) {
  constexpr std::size_t kHeld = 64u << 20;
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::vector<char> held(kHeld, 1);  // touched: resident
    const char ok = held[kHeld / 2];
    [[maybe_unused]] const ssize_t n = ::write(ready[1], &ok, 1);
    ::pause();
    ::_exit(0);
  }
  char ok = 0;
  ASSERT_EQ(::read(ready[0], &ok, 1), 1);
  ::close(ready[0]);
  ::close(ready[1]);
  const auto children = child_pids(::getpid());
  EXPECT_NE(std::find(children.begin(), children.end(), child), children.end());
  const auto self = sample_process(::getpid());
  const auto tree = sample_process_tree(::getpid());
  ASSERT_TRUE(self && tree);
  EXPECT_GE(tree->rss_bytes, self->rss_bytes + kHeld);
  EXPECT_GT(tree->threads, self->threads);
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  const auto after = sample_process_tree(::getpid());
  ASSERT_TRUE(after);
  EXPECT_LT(after->rss_bytes, self->rss_bytes + kHeld);
}

}  // namespace
}  // namespace rtb
