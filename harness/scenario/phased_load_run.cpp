#include "harness/scenario/phased_load_run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>

#include "harness/scenario/payload_stamp.hpp"
#include "harness/scenario/run_metadata.hpp"
#include "harness/scenario/transport_kind.hpp"

namespace rtb {

namespace {

constexpr std::uint64_t kControlTickMs = 2;
// After the last connect, time for the server to accept and set up every session before its memory is read
// as "N idle connections" (a connect completes in the kernel before the server has accepted it).
constexpr std::uint64_t kSettleNs = 300'000'000;
constexpr std::uint64_t kDrainCheckNs = 20'000'000;

constexpr std::uint64_t to_ns(double seconds) {
  return static_cast<std::uint64_t>(seconds * 1e9);
}

}  // namespace

PhasedLoadRun::PhasedLoadRun(const LoadConfig& config, ServerUrl url, LoadObserver* observer,
                             double progress_interval_s)
    : config_(config), url_(std::move(url)), observer_(observer), progress_interval_s_(progress_interval_s) {}

ProxyRoute PhasedLoadRun::client_route(bool upgrades) const {
  if (proxy_) {
    const ProxyTunnel t = config_.proxy_tunnel;
    return route_through(*proxy_, url_,
                         t == ProxyTunnel::kAlways || (t == ProxyTunnel::kAuto && (upgrades || url_.tls)));
  }
  ProxyRoute direct;
  direct.connect_to = url_.address;
  return direct;
}

LoadOutcome PhasedLoadRun::run() {
  started_at_ = std::chrono::system_clock::now();
  LoadOutcome outcome;
  if (std::string e = ensure_descriptors(config_.clients); !e.empty()) {
    outcome.error = std::move(e);
    return outcome;
  }
  for (auto [flag, pid] :
       {std::pair{"--server-pid", config_.server_pid}, std::pair{"--proxy-pid", config_.proxy_pid},
        std::pair{"--broker-pid", config_.broker_pid}}) {
    if (pid > 0 && !sample_process(pid)) {
      outcome.error = fmt::format("{} {}: no such process, or its /proc entries are unreadable", flag, pid);
      return outcome;
    }
  }

  publish_url_ = url_;
  if (!config_.publish_url.empty()) {
    std::string e;
    auto publish = parse_server_url(config_.publish_url, &e);
    if (!publish || publish->tls != url_.tls) {
      outcome.error = fmt::format("--publish-url {}: {}", config_.publish_url,
                                  publish ? "must be https:// when --url is, and http:// when it is not" : e);
      return outcome;
    }
    publish_url_ = std::move(*publish);
  }
  if (!config_.proxy.empty()) {
    std::string e;
    proxy_ = parse_forward_proxy(config_.proxy, &e);
    if (!proxy_) {
      outcome.error = std::move(e);
      return outcome;
    }
    if (url_.tls && config_.proxy_tunnel == ProxyTunnel::kNever) {
      outcome.error = fmt::format(
          "--proxy-tunnel never cannot reach {}: TLS to the server goes through a CONNECT tunnel (use auto)",
          config_.url);
      return outcome;
    }
  }

  uv_timer_init(loop_.get(), control_.get());
  control_.set_initialised();
  control_->data = this;
  uv_timer_init(loop_.get(), progress_.get());
  progress_.set_initialised();
  progress_->data = this;
  set_phase(LoadPhase::kStarting, monotonic_now_ns(), 0);
  if (url_.tls) {
    std::string e;
    const TlsClientOptions options{config_.tls_ca, !config_.insecure, config_.tls_resume};
    tls_ = TlsContext::client(options, e);
    if (tls_) publisher_tls_ = TlsContext::client(options, e);
    if (!tls_ || !publisher_tls_) {
      outcome.error = e;
      return outcome;
    }
  }
  if (config_.proc_index >= 0) {
    group_ = std::make_unique<LinePipeReader>(
        loop_.get(), [this](std::string_view line) { on_group_line(line); },
        [this](std::string_view why) {
          if (phase_ != LoadPhase::kDone) finish(fmt::format("the --procs parent went away ({})", why));
        });
    std::string e;
    if (!group_->open(0, &e)) {
      outcome.error = fmt::format(
          "--proc-index is for the generator processes of --procs, whose stdin is a "
          "pipe from their parent: {}",
          e);
      return outcome;
    }
    group_->start();
    // Processes that share source addresses bind disjoint slices of their ports.
    if (config_.procs_sharing_sources > 1) {
      loop_.source_ports().set_slice(static_cast<std::uint32_t>(config_.proc_index),
                                     config_.procs_sharing_sources);
    }
  }
  if (std::string e = prepare(); !e.empty()) {
    outcome.error = std::move(e);
    return outcome;
  }
  if ((observer_ != nullptr || group_) && progress_interval_s_ > 0) {
    const auto every = static_cast<std::uint64_t>(progress_interval_s_ * 1000);
    uv_timer_start(
        progress_.get(),
        [](uv_timer_t* t) {
          if (t->data != nullptr) static_cast<PhasedLoadRun*>(t->data)->report_progress();
        },
        every, every);
  }
  loop_.run();

  if (error_.empty() && phase_ != LoadPhase::kDone)
    error_ = "the event loop ran out of work before the run ended";
  if (!error_.empty()) {
    outcome.error = error_;
    return outcome;
  }
  outcome.ok = true;
  outcome.result = compute_result();
  return outcome;
}

RunSnapshot PhasedLoadRun::snapshot(bool own_sockets) const {
  ClientWireCounters wire = wire_totals();
  if (tls_) {
    wire.tls_bytes_up = tls_->counters().record_bytes_out;
    wire.tls_bytes_down = tls_->counters().record_bytes_in;
  }
  RunSnapshot s = take_run_snapshot(
      wire, SampledPids{config_.server_pid, config_.proxy_pid, config_.broker_pid}, own_sockets);
  s.straight_to_server_bytes = straight_to_server_bytes();
  return s;
}

void PhasedLoadRun::set_phase(LoadPhase phase, std::uint64_t now, double length_s) {
  phase_ = phase;
  phase_start_ns_ = now;
  phase_length_s_ = length_s;
}

void PhasedLoadRun::begin_connecting(std::uint64_t now) {
  // After prepare(): the subscriber run's marker has created the channel (its history ring is the server's,
  // not the connections') and warmed the publish path.
  before_connect_ = snapshot(false);
  connect_start_ns_ = now;
  set_phase(LoadPhase::kConnecting, now, 0);
  // In a group every process reads "before" first, so no process's connections are in another's baseline.
  if (group_) send_to_group("armed");
  uv_timer_start(
      control_.get(),
      [](uv_timer_t* t) {
        if (t->data != nullptr) static_cast<PhasedLoadRun*>(t->data)->tick();
      },
      0, kControlTickMs);
}

void PhasedLoadRun::tick() {
  const std::uint64_t now = monotonic_now_ns();
  on_tick(now);
  switch (phase_) {
    case LoadPhase::kConnecting:
      if (!group_ || connect_ordered_) step_connecting(now);
      break;
    case LoadPhase::kSettling:
      if (now < settle_until_ns_) break;
      if (!group_) {
        begin_warmup(now);
      } else if (go_ns_) {
        begin_warmup(*go_ns_);
      } else if (!ready_sent_) {
        ready_sent_ = true;
        send_to_group(fmt::format("ready {}", ready()));
      }
      break;
    case LoadPhase::kWarmup:
      if (now >= measure_start_ns_) begin_measure(now);
      break;
    case LoadPhase::kMeasure:
      if (now >= measure_end_ns_) end_measure(now);
      break;
    case LoadPhase::kDrain:
      step_drain(now);
      break;
    case LoadPhase::kStarting:
    case LoadPhase::kDone:
      break;
  }
}

void PhasedLoadRun::step_connecting(std::uint64_t now) {
  const double elapsed_s = static_cast<double>(now - connect_start_ns_) / 1e9;
  if (opened() < config_.clients) {
    // Paced by --connect-rate, and never more than --connect-batch in the server's accept queue at once.
    const std::uint64_t due =
        connects_due(elapsed_s, config_.connect_rate, config_.connect_batch, opened(), connecting());
    open_clients(std::min(due, config_.clients - opened()));
  }
  const bool settled = opened() == config_.clients && connecting() == 0;
  if (!settled && elapsed_s < config_.connect_timeout_s) return;
  if (!settled) give_up_connecting();
  connect_s_ = elapsed_s;
  if (ready() == 0) {
    const ErrorTally& e = errors();
    std::string first = "none reported";
    for (auto kind : kAllClientErrorKinds) {
      if (e.count(kind) > 0) {
        first = e.first_detail(kind);
        break;
      }
    }
    finish(
        fmt::format("no client could connect to {} ({} errors; first: {})", config_.url, e.total(), first));
    return;
  }
  settle_until_ns_ = now + kSettleNs;
  set_phase(LoadPhase::kSettling, now, static_cast<double>(kSettleNs) / 1e9);
}

void PhasedLoadRun::begin_warmup(std::uint64_t now) {
  idle_ = snapshot(false);
  // In a group the idle readings (server, host) hold every process's connections.
  idle_connected_ = group_ ? go_connected_ : ready();
  measure_start_ns_ = now + to_ns(config_.warmup_s);
  measure_end_ns_ = measure_start_ns_ + to_ns(config_.duration_s);
  set_phase(LoadPhase::kWarmup, now, config_.warmup_s);
  if (measure_start_ns_ <= now) begin_measure(now);
  start_load(now);
}

void PhasedLoadRun::begin_measure(std::uint64_t now) {
  // The window starts at measure_start_ns_ (events belong to it by intended send time); this tick may come
  // a little later, so the wall-clock start is taken back by that lag.
  measure_started_at_ = std::chrono::system_clock::now() - std::chrono::nanoseconds(now - measure_start_ns_);
  window_start_ = snapshot(config_.socket_counts);
  on_measure_start();
  set_phase(LoadPhase::kMeasure, now, config_.duration_s);
}

void PhasedLoadRun::end_measure(std::uint64_t now) {
  window_end_ = snapshot(config_.socket_counts);
  drain_deadline_ns_ = now + to_ns(config_.drain_s);
  next_drain_check_ns_ = now;
  set_phase(LoadPhase::kDrain, now, config_.drain_s);
  step_drain(now);
}

void PhasedLoadRun::step_drain(std::uint64_t now) {
  if (now >= next_drain_check_ns_) {
    next_drain_check_ns_ = now + kDrainCheckNs;
    if (drained()) {
      drain_complete_ = true;
      finish();
      return;
    }
  }
  if (now >= drain_deadline_ns_) finish();
}

void PhasedLoadRun::finish(std::string error) {
  if (phase_ == LoadPhase::kDone) return;
  error_ = std::move(error);
  set_phase(LoadPhase::kDone, monotonic_now_ns(), 0);
  stop_load();
  uv_timer_stop(control_.get());
  uv_timer_stop(progress_.get());
  // Sessions and handles close when their owners are destroyed; the loop has nothing left to wait for.
  loop_.stop();
}

void PhasedLoadRun::send_to_group(std::string_view line) const {
  // A parent that stopped reading is gone; its end of stdin closing ends this run.
  write_line_to_stdout(line);
}

void PhasedLoadRun::on_group_line(std::string_view line) {
  const std::size_t space = line.find(' ');
  const std::string_view word = line.substr(0, space);
  const std::string_view rest = space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
  if (word == "connect") {
    connect_ordered_ = true;
    connect_start_ns_ = monotonic_now_ns();
  } else if (word == "go") {
    // "go <instant, CLOCK_MONOTONIC ns> <connections of the whole group>"
    std::uint64_t at = 0, connected = 0;
    if (std::sscanf(std::string(rest).c_str(), "%" SCNu64 " %" SCNu64, &at, &connected) != 2) {
      finish(fmt::format("the --procs parent sent a malformed line: {}", line));
      return;
    }
    go_ns_ = at;
    go_connected_ = connected;
  } else {
    on_group_message(word, rest);
  }
}

void PhasedLoadRun::report_progress() {
  const std::uint64_t now = monotonic_now_ns();
  LoadProgress p;
  p.phase = phase_;
  p.phase_elapsed_s = static_cast<double>(now - phase_start_ns_) / 1e9;
  p.phase_length_s = phase_length_s_;
  p.clients = config_.clients;
  p.connected = ready();
  p.connecting = connecting();
  const double dt = progress_ns_ == 0 ? 0 : static_cast<double>(now - progress_ns_) / 1e9;
  const std::uint64_t got = received();
  p.events_per_s = dt > 0 ? static_cast<double>(got - progress_received_) / dt : 0;
  progress_ns_ = now;
  progress_received_ = got;
  const LatencyHistogram& h = progress_latency();
  p.p99_us = h.count() > 0 ? static_cast<double>(h.value_at_percentile(99)) / 1000 : std::nan("");
  p.errors = errors().total();
  fill_progress(p);
  if (group_) {
    send_to_group(fmt::format("progress {} {} {} {} {} {} {} {} {} {} {}", static_cast<int>(p.phase),
                              p.phase_elapsed_s, p.phase_length_s, p.clients, p.connected, p.connecting,
                              p.events_per_s, p.p99_us, p.errors, p.publish_late, p.publish_dropped));
  }
  if (observer_ != nullptr) observer_->on_progress(p);
}

LoadResult PhasedLoadRun::base_result(const LatencyHistogram& h) const {
  const double nan = std::nan("");
  LoadResult r;
  r.start_time = iso8601_utc(started_at_);
  if (measure_started_at_) r.measure_start_time = iso8601_utc(*measure_started_at_);
  r.end_time = iso8601_utc(std::chrono::system_clock::now());
  r.url = config_.url;
  r.transport = std::string(transport_name(config_.transport));
  r.clients = config_.clients;
  r.header_profile = config_.headers.name();
  r.warmup_s = config_.warmup_s;
  r.duration_s = config_.duration_s;
  r.connect_s = connect_s_;
  r.connects_per_s = connect_s_ > 0 ? static_cast<double>(ready()) / connect_s_ : nan;
  r.seed = config_.seed;
  if (tls_) {
    const TlsCounters& c = tls_->counters();
    r.tls = c.tls12 == 0 ? "TLSv1.3" : c.tls13 == 0 ? "TLSv1.2" : "mixed";
    r.tls_verified = tls_->verifies_peer() ? 1 : 0;
    r.tls_handshakes = c.handshakes;
    r.tls_resumed = c.resumed;
  }

  fill_latency_figures(r, h);
  r.latency_saturated = h.saturated_count();
  r.latency = h;

  const ErrorTally& e = errors();
  r.errors_refused = e.count(ClientErrorKind::kRefused);
  r.errors_reset = e.count(ClientErrorKind::kReset);
  r.errors_timeout = e.count(ClientErrorKind::kTimeout);
  r.errors_protocol = e.count(ClientErrorKind::kProtocol);
  r.errors_http_status = e.count(ClientErrorKind::kHttpStatus);
  r.errors_total = e.total();
  for (auto kind : kAllClientErrorKinds) {
    if (e.count(kind) > 0) r.error_examples.emplace_back(client_error_name(kind), e.first_detail(kind));
  }
  return r;
}

void PhasedLoadRun::add_shared_warnings(LoadResult& r) const {
  if (r.connected < r.clients) {
    r.warnings.push_back(
        fmt::format("only {} of {} clients were connected when measuring began", r.connected, r.clients));
  }
  if (!drain_complete_ && r.lost > 0) {
    r.warnings.push_back(
        fmt::format("the drain ended after --drain-s {} with {} still missing; some of the lost may only "
                    "have been late",
                    config_.drain_s, r.lost));
  }
  if (r.latency_saturated > 0) {
    r.warnings.push_back(fmt::format("{} latencies exceeded the histogram's range", r.latency_saturated));
  }
}

}  // namespace rtb
