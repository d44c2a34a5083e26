#include "harness/scenario/run_window.hpp"

#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "harness/scenario/payload_stamp.hpp"

namespace rtb {

double thread_cpu_seconds() {
  rusage usage{};
  if (getrusage(RUSAGE_THREAD, &usage) != 0) return std::nan("");
  auto secs = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6; };
  return secs(usage.ru_utime) + secs(usage.ru_stime);
}

RunSnapshot take_run_snapshot(const ClientWireCounters& wire, const SampledPids& pids, bool own_sockets) {
  RunSnapshot s;
  s.mono_ns = monotonic_now_ns();
  s.wire = wire;
  s.snmp = read_snmp();
  s.sockstat = read_sockstat();
  s.socket_slab_bytes = read_socket_slab_bytes();
  // The tree: a `serve --workers N` supervisor is sampled with its workers.
  if (pids.server > 0) s.server = sample_process_tree(pids.server);
  if (pids.proxy > 0) s.proxy = sample_process(pids.proxy);
  if (pids.broker > 0) s.broker = sample_process(pids.broker);
  s.thread_cpu_s = thread_cpu_seconds();
  if (own_sockets) s.own_sockets = read_own_tcp_sockets();
  s.host_cpu = read_host_cpu();
  s.process_cpu_s = process_cpu_seconds();
  return s;
}

ClientWireCounters wire_delta(const ClientWireCounters& a, const ClientWireCounters& b) {
  ClientWireCounters d;
  d.requests = a.requests - b.requests;
  d.responses = a.responses - b.responses;
  d.empty_responses = a.empty_responses - b.empty_responses;
  d.header_bytes_up = a.header_bytes_up - b.header_bytes_up;
  d.framing_bytes_up = a.framing_bytes_up - b.framing_bytes_up;
  d.payload_bytes_up = a.payload_bytes_up - b.payload_bytes_up;
  d.header_bytes_down = a.header_bytes_down - b.header_bytes_down;
  d.framing_bytes_down = a.framing_bytes_down - b.framing_bytes_down;
  d.payload_bytes_down = a.payload_bytes_down - b.payload_bytes_down;
  d.events = a.events - b.events;
  d.connects = a.connects - b.connects;
  d.tls_bytes_up = a.tls_bytes_up - b.tls_bytes_up;
  d.tls_bytes_down = a.tls_bytes_down - b.tls_bytes_down;
  return d;
}

std::string ensure_descriptors(std::uint64_t clients) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return {};
  const std::uint64_t need = clients + kSpareDescriptors;
  if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= need) return {};
  if (limit.rlim_max == RLIM_INFINITY || limit.rlim_max >= need) {
    limit.rlim_cur = need;
    if (setrlimit(RLIMIT_NOFILE, &limit) == 0) return {};
  }
  return fmt::format(
      "--clients {} needs about {} open files but this process may open {} (ulimit -n, hard limit {}); use "
      "fewer clients per process and run several generator processes (--procs K)",
      clients, need, limit.rlim_cur, limit.rlim_max == RLIM_INFINITY ? 0 : limit.rlim_max);
}

std::uint64_t connects_due(double elapsed_s, double rate, std::uint64_t batch, std::uint64_t opened,
                           std::uint64_t outstanding) {
  const auto allowed = static_cast<std::uint64_t>(elapsed_s * rate) + 1;
  const std::uint64_t by_rate = allowed > opened ? allowed - opened : 0;
  const std::uint64_t by_batch = batch > outstanding ? batch - outstanding : 0;
  return std::min(by_rate, by_batch);
}

void fill_wire_figures(LoadResult& r, const ClientWireCounters& w, double window_s) {
  const double nan = std::nan("");
  const double delivered = static_cast<double>(r.delivered);
  auto per_event = [&](std::uint64_t v) {
    return r.delivered > 0 ? static_cast<double>(v) / delivered : nan;
  };
  auto per_s = [&](std::uint64_t v) { return window_s > 0 ? static_cast<double>(v) / window_s : nan; };
  r.connects = w.connects;
  r.bytes_up = w.bytes_up();
  r.bytes_down = w.bytes_down();
  r.bytes_up_per_event = per_event(r.bytes_up);
  r.bytes_down_per_event = per_event(r.bytes_down);
  r.header_bytes_per_event = per_event(w.header_bytes_up + w.header_bytes_down);
  r.framing_bytes_per_event = per_event(w.framing_bytes_up + w.framing_bytes_down);
  r.payload_bytes_per_event = per_event(w.payload_bytes_up + w.payload_bytes_down);
  r.header_bytes_up_per_event = per_event(w.header_bytes_up);
  r.header_bytes_down_per_event = per_event(w.header_bytes_down);
  r.framing_bytes_up_per_event = per_event(w.framing_bytes_up);
  r.framing_bytes_down_per_event = per_event(w.framing_bytes_down);
  r.payload_bytes_up_per_event = per_event(w.payload_bytes_up);
  r.payload_bytes_down_per_event = per_event(w.payload_bytes_down);
  r.bytes_up_per_s = per_s(r.bytes_up);
  r.bytes_down_per_s = per_s(r.bytes_down);
  r.tls_bytes_up = w.tls_bytes_up;
  r.tls_bytes_down = w.tls_bytes_down;
  const std::uint64_t tls = w.tls_bytes_up + w.tls_bytes_down;
  const std::uint64_t app = r.bytes_up + r.bytes_down;
  r.tls_bytes_per_event = tls > 0 ? per_event(tls) : nan;
  // Records carry the application bytes, so TLS bytes below them would be a counting error, not a saving.
  r.tls_overhead_bytes_per_event = tls >= app && tls > 0 ? per_event(tls - app) : nan;
}

namespace {

// One sampled process (the server, or the proxy in front of it) over the window: CPU, CPU per delivered
// operation, RSS at the end, and RSS growth per idle connection over the settle phase. NaN where unsampled.
struct ProcessFigures {
  double cpu_s = std::nan("");
  double cpu_us_per_op = std::nan("");
  double user_cpu_us_per_op = std::nan("");  // utime alone
  double rss_bytes = std::nan("");
  double bytes_per_idle_conn = std::nan("");
  double io_bytes_per_op = std::nan("");  // read + written through system calls, per delivered operation
};

ProcessFigures process_figures(const RunWindowSnapshots& s, std::optional<ProcSample> RunSnapshot::*which,
                               std::uint64_t delivered) {
  ProcessFigures f;
  const auto& start = s.start.*which;
  const auto& end = s.end.*which;
  if (start && end) {
    f.cpu_s = (end->cpu_user_s + end->cpu_system_s) - (start->cpu_user_s + start->cpu_system_s);
    if (delivered > 0) {
      f.cpu_us_per_op = f.cpu_s * 1e6 / static_cast<double>(delivered);
      f.user_cpu_us_per_op = (end->cpu_user_s - start->cpu_user_s) * 1e6 / static_cast<double>(delivered);
    }
    f.rss_bytes = static_cast<double>(end->rss_bytes);
    if (delivered > 0 && start->io_read_bytes && end->io_read_bytes && start->io_write_bytes &&
        end->io_write_bytes) {
      const double io = static_cast<double>((*end->io_read_bytes - *start->io_read_bytes) +
                                            (*end->io_write_bytes - *start->io_write_bytes));
      f.io_bytes_per_op = io / static_cast<double>(delivered);
    }
  }
  const auto& before = s.before_connect.*which;
  const auto& idle = s.idle.*which;
  if (before && idle && s.idle_connected > 0) {
    f.bytes_per_idle_conn = (static_cast<double>(idle->rss_bytes) - static_cast<double>(before->rss_bytes)) /
                            static_cast<double>(s.idle_connected);
  }
  return f;
}

}  // namespace

void fill_process_figures(LoadResult& r, const RunWindowSnapshots& s) {
  const double nan = std::nan("");
  const double delivered = static_cast<double>(r.delivered);
  r.tcp_segments_per_event = nan;
  bool have_host = false;
  if (s.start.snmp && s.end.snmp) {
    const TcpSnmp& a = *s.start.snmp;
    const TcpSnmp& b = *s.end.snmp;
    // On loopback every segment leaves one of our sockets and enters another: OutSegs counts each once.
    r.tcp_segments_host =
        s.loopback ? b.out_segs - a.out_segs : (b.in_segs - a.in_segs) + (b.out_segs - a.out_segs);
    r.tcp_retransmits = b.retrans_segs - a.retrans_segs;
    have_host = true;
  }
  // Our own sockets, per socket: other traffic on the host cannot enter this count.
  const OwnSegments own = own_segments_between(s.start.own_sockets, s.end.own_sockets);
  r.tcp_segments_own = own.segments;
  // A socket opened and closed between the two readings is in neither (a connection per request): the
  // subscribers' connects in the window beyond the sockets that appeared tell how many went unseen.
  const std::uint64_t opened = s.end.wire.connects - s.start.wire.connects;
  const std::uint64_t unseen = opened > own.sockets_new ? opened - own.sockets_new : 0;
  r.tcp_sockets_gone = own.sockets_gone + unseen;
  const bool have_own = own.sockets > 0 && r.tcp_sockets_gone == 0;
  if (have_own) {
    r.tcp_segments = own.segments;
    r.tcp_segments_scope = "own_sockets";
  } else if (have_host) {
    r.tcp_segments = r.tcp_segments_host;
    r.tcp_segments_scope = s.loopback ? "loopback_both_ends" : "host_in_plus_out";
    if (r.tcp_sockets_gone > 0) {
      r.warnings.push_back(fmt::format(
          "{} of the generator's sockets closed inside the measure window (a connection per request?), so "
          "their TCP_INFO counts left with them: TCP segments are the host-wide count, which other traffic "
          "on the host can inflate",
          r.tcp_sockets_gone));
    }
  }
  if (have_host || have_own) {
    r.tcp_segments_per_event = r.delivered > 0 ? static_cast<double>(r.tcp_segments) / delivered : nan;
  }
  // The cross-check. On loopback the host count holds our connections' segments (both ends) plus everyone
  // else's; elsewhere it holds only our end's, so it is compared only on loopback.
  if (have_own && have_host && s.loopback) {
    const double own_n = static_cast<double>(own.segments);
    const double host_n = static_cast<double>(r.tcp_segments_host);
    if (host_n > own_n * 1.10 + 200) {
      r.warnings.push_back(fmt::format(
          "other TCP traffic on the host during the measure window: {} segments host-wide, {} on this run's "
          "sockets; the figures use this run's sockets only",
          r.tcp_segments_host, own.segments));
    } else if (own_n > host_n * 1.02 + 200) {
      r.suspects.push_back(fmt::format(
          "tcp_segments: the generator's own sockets counted {} segments, more than the whole host's {} "
          "(/proc/net/snmp); one of the two counters is wrong",
          own.segments, r.tcp_segments_host));
    }
  }

  const ProcessFigures server = process_figures(s, &RunSnapshot::server, r.delivered);
  r.server_cpu_s = server.cpu_s;
  r.server_cpu_s_per_1k_events = r.delivered > 0 ? server.cpu_s / (delivered / 1000) : nan;
  r.server_cpu_us_per_op = server.cpu_us_per_op;
  r.server_user_cpu_us_per_op = server.user_cpu_us_per_op;
  r.server_rss_bytes = server.rss_bytes;
  r.server_bytes_per_idle_conn = server.bytes_per_idle_conn;
  const ProcessFigures proxy = process_figures(s, &RunSnapshot::proxy, r.delivered);
  r.proxy_cpu_s = proxy.cpu_s;
  r.proxy_cpu_us_per_op = proxy.cpu_us_per_op;
  r.proxy_rss_bytes = proxy.rss_bytes;
  r.proxy_bytes_per_idle_conn = proxy.bytes_per_idle_conn;
  // What the proxy read and wrote is the client side (the subscribers' bytes both ways, their TLS records in
  // a tunnel) plus the server side.
  r.proxy_io_bytes_per_event = proxy.io_bytes_per_op;
  // The proxy's other side, counted where every byte of it passes through read and write system calls: the
  // server (rtbench serve reads and writes its sockets with read/readv/write/writev, which /proc/PID/io
  // counts; nginx's recv and HAProxy's recv/send are not counted there, so the proxy's own figure cannot
  // say it). Less what the generator sent the server directly (the publisher).
  r.proxy_server_side_bytes_per_event = nan;
  if (std::isfinite(proxy.cpu_s) && std::isfinite(server.io_bytes_per_op) && r.delivered > 0) {
    const double straight =
        static_cast<double>(s.end.straight_to_server_bytes - s.start.straight_to_server_bytes);
    r.proxy_server_side_bytes_per_event =
        server.io_bytes_per_op - straight / static_cast<double>(r.delivered);
  }
  // The broker's cost is per event published, not per delivery: it sends each event once to each server
  // process, whatever the subscribers.
  const ProcessFigures broker = process_figures(s, &RunSnapshot::broker, r.delivered);
  r.broker_cpu_s = broker.cpu_s;
  r.broker_rss_bytes = broker.rss_bytes;
  const double published =
      r.connected > 0 ? static_cast<double>(r.expected) / static_cast<double>(r.connected) : 0;
  r.broker_cpu_us_per_event = published > 0 ? broker.cpu_s * 1e6 / published : nan;
  r.kernel_tcp_bytes_per_conn = nan;
  if (s.before_connect.sockstat && s.idle.sockstat && s.idle_connected > 0) {
    const double page = static_cast<double>(page_size_bytes());
    r.kernel_tcp_bytes_per_conn = (static_cast<double>(s.idle.sockstat->mem_pages) -
                                   static_cast<double>(s.before_connect.sockstat->mem_pages)) *
                                  page / static_cast<double>(s.idle_connected);
  }
  r.kernel_socket_bytes_per_conn = nan;
  if (s.before_connect.socket_slab_bytes && s.idle.socket_slab_bytes && s.idle_connected > 0) {
    // On loopback each connection is two sockets, ours and the server's, with the same structures.
    const double sockets = static_cast<double>(s.idle_connected) * (s.loopback ? 2 : 1);
    r.kernel_socket_bytes_per_conn = (static_cast<double>(*s.idle.socket_slab_bytes) -
                                      static_cast<double>(*s.before_connect.socket_slab_bytes)) /
                                     sockets;
  }
  // Memory per connection is a difference of two host or process readings; below 0 it measured something
  // else (memory returned to the OS, another process's sockets closing): never a figure, always a suspect.
  for (auto [name, value] : {std::pair{"server_bytes_per_idle_conn", &r.server_bytes_per_idle_conn},
                             std::pair{"proxy_bytes_per_idle_conn", &r.proxy_bytes_per_idle_conn},
                             std::pair{"kernel_tcp_bytes_per_conn", &r.kernel_tcp_bytes_per_conn},
                             std::pair{"kernel_socket_bytes_per_conn", &r.kernel_socket_bytes_per_conn}}) {
    if (*value < 0) {
      r.suspects.push_back(fmt::format(
          "{}: came out negative ({:.0f} B), so it measured something else than the connections (memory "
          "returned to the OS, or other sockets on the host closing); not reported",
          name, *value));
      *value = nan;
    }
  }
  const double wall_s = static_cast<double>(s.end.mono_ns - s.start.mono_ns) / 1e9;
  const double gen_cpu_s = s.end.thread_cpu_s - s.start.thread_cpu_s;
  r.other_cpu_pct = nan;
  if (s.start.host_cpu && s.end.host_cpu && wall_s > 0) {
    const double host_busy = s.end.host_cpu->busy_s - s.start.host_cpu->busy_s;
    const double ours = (s.end.process_cpu_s - s.start.process_cpu_s) +
                        (std::isfinite(r.server_cpu_s) ? r.server_cpu_s : 0) +
                        (std::isfinite(r.proxy_cpu_s) ? r.proxy_cpu_s : 0) +
                        (std::isfinite(r.broker_cpu_s) ? r.broker_cpu_s : 0);
    // Clock ticks are 10 ms: a short window reads coarse, never below 0.
    r.other_cpu_pct = std::max(0.0, host_busy - ours) / wall_s * 100;
    if (r.other_cpu_pct > kOtherWorkPct) {
      r.warnings.push_back(fmt::format(
          "other work was running: processes other than the server{}, the proxy and the generator used "
          "{:.0f}% of a "
          "core during the measure window (/proc/stat); latency and CPU figures are noisier",
          std::isfinite(r.server_cpu_s) ? "" : " (not sampled: no --server-pid)", r.other_cpu_pct));
    }
  }
  r.generator_cpu_pct = wall_s > 0 ? gen_cpu_s / wall_s * 100 : nan;
  r.generator_bottleneck = r.generator_cpu_pct > kGeneratorBottleneckPct ? 1 : 0;
  r.gen_cpu_us_per_op = r.delivered > 0 ? gen_cpu_s * 1e6 / delivered : nan;
  r.suspect_count = r.suspects.size();
}

}  // namespace rtb
