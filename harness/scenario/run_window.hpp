// RunWindow: the measurements every kind of load run takes at its phase edges (process and host counters,
// the clients' wire bytes), and the result figures both run kinds derive from them the same way.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/metrics/proc_sampler.hpp"
#include "harness/metrics/tcp_info.hpp"
#include "harness/scenario/load_result.hpp"
#include "transports/common/client_session.hpp"

namespace rtb {

struct RunSnapshot {
  std::uint64_t mono_ns = 0;
  ClientWireCounters wire;
  std::optional<TcpSnmp> snmp;
  std::optional<TcpSockstat> sockstat;
  std::optional<std::uint64_t> socket_slab_bytes;  // kernel socket structures, host-wide; root only
  std::optional<ProcSample> server;
  std::optional<ProcSample> proxy;   // the intermediary between generator and server (--proxy-pid)
  std::optional<ProcSample> broker;  // the server's shared broker (--broker-pid)
  double thread_cpu_s = 0;
  std::vector<OwnSocket> own_sockets;  // TCP_INFO of every TCP socket of the generator
  std::optional<HostCpu> host_cpu;     // /proc/stat
  double process_cpu_s = 0;            // the whole generator process
  // Bytes the generator exchanged with the server itself, not through the proxy (the publisher's posts and
  // answers; their TLS records over https): what the server's own reads and writes hold besides the proxy's.
  std::uint64_t straight_to_server_bytes = 0;
};

// The processes a run samples besides itself; 0: none.
struct SampledPids {
  int server = 0;
  int proxy = 0;
  int broker = 0;
};
RunSnapshot take_run_snapshot(const ClientWireCounters& wire, const SampledPids& pids,
                              bool own_sockets = true);

// CPU seconds (user + system) of the calling thread, the generator's loop; NaN when unreadable.
double thread_cpu_seconds();

ClientWireCounters wire_delta(const ClientWireCounters& later, const ClientWireCounters& earlier);

// Descriptors a load process needs besides its clients: publisher, loop internals, stdio, output files.
inline constexpr std::uint64_t kSpareDescriptors = 32;

// Room for `clients` sockets: raises the soft open-file limit towards the hard one if needed; "" when there
// is room, else a sentence that says what to do.
std::string ensure_descriptors(std::uint64_t clients);

// Connects to start now: paced by `rate` per second since the connect phase began and never more than
// `batch` outstanding (the server's accept queue).
std::uint64_t connects_due(double elapsed_s, double rate, std::uint64_t batch, std::uint64_t opened,
                           std::uint64_t outstanding);

// Byte figures (totals, per delivered operation, per second) from the window's wire delta; needs
// r.delivered.
void fill_wire_figures(LoadResult& r, const ClientWireCounters& window, double window_s);

// TCP segments, server CPU and memory, kernel TCP memory and generator CPU over the window, and idle memory
// per connection from the settle phase; needs r.delivered.
struct RunWindowSnapshots {
  const RunSnapshot& before_connect;
  const RunSnapshot& idle;  // after connecting and settling
  std::uint64_t idle_connected = 0;
  const RunSnapshot& start;  // measure window
  const RunSnapshot& end;
  bool loopback = false;
};
void fill_process_figures(LoadResult& r, const RunWindowSnapshots& s);

// Other processes using more than this share of a core during the window: "other work was running".
inline constexpr double kOtherWorkPct = 20.0;

// Above this share of a core the run is flagged generator_bottleneck.
inline constexpr double kGeneratorBottleneckPct = 90.0;

}  // namespace rtb
