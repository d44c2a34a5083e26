// PhasedLoadRun: the phase machine every kind of load run shares (connect, settle, warm-up, measure, drain)
// on its own event loop, with the snapshots taken at each edge; a run kind supplies its clients and result.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "harness/metrics/latency_histogram.hpp"
#include "harness/scenario/error_tally.hpp"
#include "harness/scenario/forward_proxy.hpp"
#include "harness/scenario/line_pipe.hpp"
#include "harness/scenario/load_config.hpp"
#include "harness/scenario/load_run.hpp"
#include "harness/scenario/run_window.hpp"
#include "harness/scenario/server_url.hpp"
#include "transports/net/client_connection.hpp"
#include "transports/net/loop.hpp"
#include "transports/net/tls_context.hpp"
#include "transports/net/uv_handle.hpp"

namespace rtb {

class PhasedLoadRun {
 public:
  PhasedLoadRun(const LoadConfig& config, ServerUrl url, LoadObserver* observer, double progress_interval_s);
  virtual ~PhasedLoadRun() = default;
  PhasedLoadRun(const PhasedLoadRun&) = delete;
  PhasedLoadRun& operator=(const PhasedLoadRun&) = delete;

  // Checks the descriptors and the server pid, calls prepare(), runs the loop until finish(); the result
  // comes from compute_result() when no error ended the run.
  LoadOutcome run();

 protected:
  // Sets up the run on the loop; returns "" or the error. It (or a callback it starts) calls
  // begin_connecting().
  virtual std::string prepare() = 0;
  // The clients: how many were opened, are still connecting, are ready (handshake done), their wire bytes.
  virtual std::uint64_t opened() const = 0;
  virtual std::uint64_t connecting() const = 0;
  virtual std::uint64_t ready() const = 0;
  virtual ClientWireCounters wire_totals() const = 0;
  virtual const ErrorTally& errors() const = 0;
  virtual void open_clients(std::uint64_t n) = 0;
  virtual void give_up_connecting() = 0;
  // Starts the load (publisher or request loops) once the warm-up has begun, after the measure window
  // opened if the warm-up is 0, so that the very first operations can be measured.
  virtual void start_load(std::uint64_t now) = 0;
  virtual void on_measure_start() = 0;
  // True once everything the measure window sent has arrived.
  virtual bool drained() const = 0;
  virtual void stop_load() = 0;
  virtual void on_tick(std::uint64_t /*now*/) {}
  // A generator process of a --procs run (procs_protocol.md): messages from the parent beyond the phase
  // machine's own ("connect", "go"), and this process's lines to it.
  bool in_group() const { return group_ != nullptr; }
  virtual void on_group_message(std::string_view /*word*/, std::string_view /*rest*/) {}
  void send_to_group(std::string_view line) const;
  // Operations received so far (the progress line's rate) and the latencies to take its p99 from.
  virtual std::uint64_t received() const = 0;
  virtual const LatencyHistogram& progress_latency() const = 0;
  virtual void fill_progress(LoadProgress& /*p*/) const {}
  virtual LoadResult compute_result() = 0;
  // Bytes exchanged with the server outside the clients (the publisher's), so far; see RunSnapshot.
  virtual std::uint64_t straight_to_server_bytes() const { return 0; }

  void begin_connecting(std::uint64_t now);
  void finish(std::string error = {});
  // `own_sockets`: TCP_INFO of every client socket, a system call or three per socket; only the window's
  // edges need it (the memory readings before and after connecting do not).
  RunSnapshot snapshot(bool own_sockets = true) const;
  LoadPhase phase() const { return phase_; }
  // The fields every result shares: the run's identity, latency and errors from `latency` and errors().
  LoadResult base_result(const LatencyHistogram& latency) const;
  // The warnings every run kind gives the same way (needs r.connected, r.lost and the latency figures).
  void add_shared_warnings(LoadResult& r) const;
  RunWindowSnapshots window() const {
    return RunWindowSnapshots{before_connect_, idle_,       idle_connected_,
                              window_start_,   window_end_, url_.loopback};
  }
  double window_s() const { return static_cast<double>(window_end_.mono_ns - window_start_.mono_ns) / 1e9; }

  // https/wss: the client side of TLS every connection of the run shares (trust, resumption); what the
  // server's certificate must name is the URL's host.
  ClientTls client_tls() const { return ClientTls{tls_.get(), url_.host}; }
  // The publisher's own context, so that the subscribers' TLS bytes (per event) hold no publishing.
  ClientTls publisher_tls() const { return ClientTls{publisher_tls_.get(), publish_url_.host}; }
  const TlsContext* tls() const { return tls_.get(); }
  // Where a client connects and what precedes its request targets: the server itself, or the route through
  // --proxy (by --proxy-tunnel: a CONNECT tunnel for a connection that `upgrades` and for TLS, absolute-form
  // targets else).
  ProxyRoute client_route(bool upgrades) const;

  const LoadConfig& config_;
  const ServerUrl url_;
  std::optional<ForwardProxy> proxy_;
  ServerUrl publish_url_;  // --publish-url, or --url
  std::unique_ptr<TlsContext> tls_;
  std::unique_ptr<TlsContext> publisher_tls_;
  Loop loop_{1};  // 1 ms timer wheel: poll intervals and timeouts to the millisecond
  std::uint64_t measure_start_ns_ = 0;
  std::uint64_t measure_end_ns_ = 0;
  bool drain_complete_ = false;
  RunSnapshot window_start_, window_end_;

 private:
  void tick();
  void step_connecting(std::uint64_t now);
  void begin_warmup(std::uint64_t now);
  void begin_measure(std::uint64_t now);
  void end_measure(std::uint64_t now);
  void step_drain(std::uint64_t now);
  void report_progress();
  void set_phase(LoadPhase phase, std::uint64_t now, double length_s);

  void on_group_line(std::string_view line);

  LoadObserver* observer_;
  double progress_interval_s_;
  UvHandle<uv_timer_t> control_;
  UvHandle<uv_timer_t> progress_;

  LoadPhase phase_ = LoadPhase::kStarting;
  std::uint64_t phase_start_ns_ = 0;
  double phase_length_s_ = 0;
  std::chrono::system_clock::time_point started_at_;
  std::optional<std::chrono::system_clock::time_point> measure_started_at_;  // unset until the window opens
  std::uint64_t connect_start_ns_ = 0;
  double connect_s_ = 0;  // the connect phase, to the last client settled
  std::uint64_t settle_until_ns_ = 0;
  std::uint64_t drain_deadline_ns_ = 0;
  std::uint64_t next_drain_check_ns_ = 0;
  std::uint64_t idle_connected_ = 0;
  RunSnapshot before_connect_, idle_;
  std::uint64_t progress_received_ = 0;
  std::uint64_t progress_ns_ = 0;
  // --procs generator process: the parent's lines on stdin; connecting waits for "connect", the warm-up for
  // "go" (its instant and every process's connections, so that all windows are one).
  std::unique_ptr<LinePipeReader> group_;
  bool connect_ordered_ = false;
  bool ready_sent_ = false;
  std::optional<std::uint64_t> go_ns_;
  std::uint64_t go_connected_ = 0;
  std::string error_;
};

}  // namespace rtb
