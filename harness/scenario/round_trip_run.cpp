#include "harness/scenario/round_trip_run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <vector>

#include "harness/scenario/echo_loop_client.hpp"
#include "harness/scenario/payload_stamp.hpp"
#include "harness/scenario/request_loop_client.hpp"
#include "harness/scenario/round_trip_tally.hpp"
#include "harness/scenario/run_metadata.hpp"
#include "harness/scenario/run_window.hpp"
#include "transports/net/loop.hpp"
#include "transports/net/uv_handle.hpp"
#include "transports/poll/poll_client.hpp"

namespace rtb {

namespace {

constexpr std::uint64_t kRoundTripTickMs = 2;
// As in the subscriber run: the server accepts and sets up every connection before its memory is read.
constexpr std::uint64_t kRoundTripSettleNs = 300'000'000;
constexpr std::uint64_t kTimeoutSweepNs = 100'000'000;

std::uint64_t seconds_to_ns(double seconds) {
  return static_cast<std::uint64_t>(seconds * 1e9);
}

class RoundTripRun {
 public:
  RoundTripRun(const LoadConfig& config, ServerUrl url, LoadObserver* observer, double progress_interval_s)
      : config_(config),
        url_(std::move(url)),
        observer_(observer),
        progress_interval_s_(progress_interval_s) {}

  LoadOutcome run();

 private:
  static void on_tick(uv_timer_t* timer);
  static void on_progress(uv_timer_t* timer);
  bool build_target();
  RunSnapshot snapshot();
  ClientWireCounters wire_totals() const;
  void tick();
  void step_connecting(std::uint64_t now);
  void begin_warmup(std::uint64_t now);
  void begin_measure(std::uint64_t now);
  void end_measure(std::uint64_t now);
  void step_drain(std::uint64_t now);
  void finish(std::string error = {});
  void report_progress();
  void set_phase(LoadPhase phase, std::uint64_t now, double length_s);
  std::uint64_t connecting() const;
  std::uint64_t in_flight() const;
  LoadResult compute_result();

  const LoadConfig& config_;
  ServerUrl url_;
  LoadObserver* observer_;
  double progress_interval_s_;

  Loop loop_{1};
  RoundTripTally tally_;
  std::vector<RoundTripTarget> targets_;  // one per source address; clients point at theirs
  SharedBuffer request_;                  // http: the one request head every connection writes
  std::vector<std::unique_ptr<RoundTripClient>> clients_;
  UvHandle<uv_timer_t> control_;
  UvHandle<uv_timer_t> progress_;

  LoadPhase phase_ = LoadPhase::kStarting;
  std::uint64_t phase_start_ns_ = 0;
  double phase_length_s_ = 0;
  std::chrono::system_clock::time_point started_at_;
  std::uint64_t connect_start_ns_ = 0;
  std::uint64_t settle_until_ns_ = 0;
  std::uint64_t measure_start_due_ns_ = 0;
  std::uint64_t measure_end_due_ns_ = 0;
  std::uint64_t drain_deadline_ns_ = 0;
  std::uint64_t next_sweep_ns_ = 0;
  bool drain_complete_ = false;
  std::uint64_t idle_connected_ = 0;
  std::uint64_t connected_at_measure_ = 0;
  std::uint64_t request_head_bytes_ = 0;
  RunSnapshot before_connect_, idle_, window_start_, window_end_;
  std::uint64_t progress_answers_ = 0;
  std::uint64_t progress_ns_ = 0;
  std::string error_;
};

// The request (http) or handshake (echo) target and the header profile, sized like the subscribers' heads.
bool RoundTripRun::build_target() {
  RoundTripTarget base;
  base.server = url_.address;
  base.host_header = url_.host_header;
  base.pipeline = config_.pipeline;
  base.payload_bytes = config_.payload_bytes;
  base.request_timeout_ms = config_.request_timeout_ms;
  const bool echo = config_.transport == TransportKind::kEcho;
  base.target = !url_.request_target.empty() ? url_.request_target : echo ? "/echo" : "/";

  ClientOptions bare;
  bare.host_header = url_.host_header;
  // An upgrade carries `Connection: Upgrade`: the browser profile's keep-alive line would contradict it.
  const std::string plain = build_get_request(bare, base.target, false);
  const std::size_t upgrade_lines =
      echo ? std::string_view(
                 "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                 "AAAAAAAAAAAAAAAAAAAAAA==\r\nSec-WebSocket-Version: 13\r\n")
                 .size()
           : 0;
  const std::size_t head = plain.size() + upgrade_lines;
  auto extra = header_profile_text(config_.headers, head, echo);
  if (!extra) {
    error_ = fmt::format("--headers {}: the smallest request head for this URL is {} bytes",
                         config_.headers.name(), min_sized_head_bytes(head));
    return false;
  }
  base.extra_headers = std::move(*extra);
  request_head_bytes_ = head + base.extra_headers.size();
  if (!echo) {
    bare.extra_headers = base.extra_headers;
    request_ = SharedBuffer::copy_of(build_get_request(bare, base.target, false));
  }
  if (config_.sources.empty()) {
    targets_.push_back(std::move(base));
  } else {
    for (const auto& source : config_.sources) {
      targets_.push_back(base);
      targets_.back().source = source;
    }
  }
  return true;
}

ClientWireCounters RoundTripRun::wire_totals() const {
  ClientWireCounters sum;
  for (const auto& c : clients_) sum.add(c->counters());
  return sum;
}

RunSnapshot RoundTripRun::snapshot() {
  return take_run_snapshot(wire_totals(), config_.server_pid);
}

void RoundTripRun::set_phase(LoadPhase phase, std::uint64_t now, double length_s) {
  phase_ = phase;
  phase_start_ns_ = now;
  phase_length_s_ = length_s;
}

void RoundTripRun::on_tick(uv_timer_t* timer) {
  if (timer->data != nullptr) static_cast<RoundTripRun*>(timer->data)->tick();
}

void RoundTripRun::on_progress(uv_timer_t* timer) {
  if (timer->data != nullptr) static_cast<RoundTripRun*>(timer->data)->report_progress();
}

LoadOutcome RoundTripRun::run() {
  started_at_ = std::chrono::system_clock::now();
  LoadOutcome outcome;
  if (std::string e = ensure_descriptors(config_.clients); !e.empty()) {
    outcome.error = e;
    return outcome;
  }
  before_connect_ = snapshot();
  if (config_.server_pid > 0 && !before_connect_.server) {
    outcome.error = fmt::format("--server-pid {}: no such process, or its /proc entries are unreadable",
                                config_.server_pid);
    return outcome;
  }
  if (!build_target()) {
    outcome.error = error_;
    return outcome;
  }
  clients_.reserve(config_.clients);

  uv_timer_init(loop_.get(), control_.get());
  control_.set_initialised();
  control_->data = this;
  uv_timer_init(loop_.get(), progress_.get());
  progress_.set_initialised();
  progress_->data = this;

  const std::uint64_t now = monotonic_now_ns();
  connect_start_ns_ = now;
  set_phase(LoadPhase::kConnecting, now, 0);
  uv_timer_start(control_.get(), &RoundTripRun::on_tick, 0, kRoundTripTickMs);
  if (observer_ != nullptr && progress_interval_s_ > 0) {
    const auto every = static_cast<std::uint64_t>(progress_interval_s_ * 1000);
    uv_timer_start(progress_.get(), &RoundTripRun::on_progress, every, every);
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

void RoundTripRun::tick() {
  const std::uint64_t now = monotonic_now_ns();
  if (now >= next_sweep_ns_ && phase_ != LoadPhase::kConnecting) {
    next_sweep_ns_ = now + kTimeoutSweepNs;
    for (auto& c : clients_) c->check_timeout(now);
  }
  switch (phase_) {
    case LoadPhase::kConnecting:
      step_connecting(now);
      break;
    case LoadPhase::kSettling:
      if (now >= settle_until_ns_) begin_warmup(now);
      break;
    case LoadPhase::kWarmup:
      if (now >= measure_start_due_ns_) begin_measure(now);
      break;
    case LoadPhase::kMeasure:
      if (now >= measure_end_due_ns_) end_measure(now);
      break;
    case LoadPhase::kDrain:
      step_drain(now);
      break;
    case LoadPhase::kStarting:
    case LoadPhase::kDone:
      break;
  }
}

std::uint64_t RoundTripRun::connecting() const {
  const std::uint64_t settled = tally_.ready + tally_.failed;
  return clients_.size() > settled ? clients_.size() - settled : 0;
}

std::uint64_t RoundTripRun::in_flight() const {
  std::uint64_t n = 0;
  for (const auto& c : clients_) n += c->in_flight();
  return n;
}

void RoundTripRun::step_connecting(std::uint64_t now) {
  const double elapsed_s = static_cast<double>(now - connect_start_ns_) / 1e9;
  if (clients_.size() < config_.clients) {
    std::uint64_t n =
        connects_due(elapsed_s, config_.connect_rate, config_.connect_batch, clients_.size(), connecting());
    for (; n > 0 && clients_.size() < config_.clients; --n) {
      const RoundTripTarget& target = targets_[clients_.size() % targets_.size()];
      std::unique_ptr<RoundTripClient> client;
      if (config_.transport == TransportKind::kEcho) {
        client = std::make_unique<EchoLoopClient>(loop_, target, tally_);
      } else {
        client = std::make_unique<RequestLoopClient>(loop_, target, request_, tally_);
      }
      client->open();
      clients_.push_back(std::move(client));
    }
  }
  const bool settled = clients_.size() == config_.clients && connecting() == 0;
  if (!settled && elapsed_s < config_.connect_timeout_s) return;
  if (!settled) {
    for (auto& c : clients_) c->give_up_connecting();
  }
  if (tally_.ready == 0) {
    finish(fmt::format("no connection could be made to {} ({} errors; first: {})", config_.url,
                       tally_.errors.total(), [&] {
                         for (auto kind : kAllClientErrorKinds) {
                           if (tally_.errors.count(kind) > 0) return tally_.errors.first_detail(kind);
                         }
                         return std::string("none reported");
                       }()));
    return;
  }
  settle_until_ns_ = now + kRoundTripSettleNs;
  set_phase(LoadPhase::kSettling, now, static_cast<double>(kRoundTripSettleNs) / 1e9);
}

void RoundTripRun::begin_warmup(std::uint64_t now) {
  idle_ = snapshot();
  idle_connected_ = tally_.ready;
  measure_start_due_ns_ = now + seconds_to_ns(config_.warmup_s);
  measure_end_due_ns_ = measure_start_due_ns_ + seconds_to_ns(config_.duration_s);
  tally_.send_until_ns = measure_end_due_ns_;
  set_phase(LoadPhase::kWarmup, now, config_.warmup_s);
  if (measure_start_due_ns_ <= now) {
    begin_measure(now);  // no warm-up: the very first operations are measured
  }
  for (auto& c : clients_) c->begin();
}

void RoundTripRun::begin_measure(std::uint64_t now) {
  window_start_ = snapshot();
  // The window opens at the snapshot: operations sent from now on are measured, and the counters the
  // snapshot holds are exactly the ones sent before.
  tally_.measure_start_ns = window_start_.mono_ns;
  tally_.measure_end_ns = tally_.send_until_ns;
  connected_at_measure_ = tally_.ready;
  set_phase(LoadPhase::kMeasure, now, config_.duration_s);
}

void RoundTripRun::end_measure(std::uint64_t now) {
  window_end_ = snapshot();
  drain_deadline_ns_ = now + seconds_to_ns(config_.drain_s);
  set_phase(LoadPhase::kDrain, now, config_.drain_s);
  step_drain(now);
}

void RoundTripRun::step_drain(std::uint64_t now) {
  if (in_flight() == 0) {
    drain_complete_ = true;
    finish();
    return;
  }
  if (now >= drain_deadline_ns_) finish();
}

void RoundTripRun::finish(std::string error) {
  if (phase_ == LoadPhase::kDone) return;
  error_ = std::move(error);
  set_phase(LoadPhase::kDone, monotonic_now_ns(), 0);
  for (auto& c : clients_) c->stop();
  uv_timer_stop(control_.get());
  uv_timer_stop(progress_.get());
  loop_.stop();
}

void RoundTripRun::report_progress() {
  const std::uint64_t now = monotonic_now_ns();
  LoadProgress p;
  p.round_trip = true;
  p.phase = phase_;
  p.phase_elapsed_s = static_cast<double>(now - phase_start_ns_) / 1e9;
  p.phase_length_s = phase_length_s_;
  p.clients = config_.clients;
  p.connected = tally_.ready;
  p.connecting = connecting();
  const double dt = progress_ns_ == 0 ? 0 : static_cast<double>(now - progress_ns_) / 1e9;
  p.events_per_s = dt > 0 ? static_cast<double>(tally_.answers - progress_answers_) / dt : 0;
  progress_ns_ = now;
  progress_answers_ = tally_.answers;
  const LatencyHistogram& h =
      tally_.measure_latency.count() > 0 ? tally_.measure_latency : tally_.warmup_latency;
  p.p99_us = h.count() > 0 ? static_cast<double>(h.value_at_percentile(99)) / 1000 : std::nan("");
  p.errors = tally_.errors.total();
  observer_->on_progress(p);
}

LoadResult RoundTripRun::compute_result() {
  const double nan = std::nan("");
  const bool echo = config_.transport == TransportKind::kEcho;
  LoadResult r;
  r.start_time = iso8601_utc(started_at_);
  r.end_time = iso8601_utc(std::chrono::system_clock::now());
  r.url = config_.url;
  r.transport = std::string(transport_name(config_.transport));
  r.clients = config_.clients;
  r.connected = connected_at_measure_;
  r.rate = 0;  // no publisher
  r.payload_bytes = echo ? config_.payload_bytes : 0;
  r.header_profile = config_.headers.name();
  r.request_head_bytes = request_head_bytes_;
  r.poll_interval_ms = 0;
  r.warmup_s = config_.warmup_s;
  r.duration_s = config_.duration_s;
  r.seed = config_.seed;
  r.pipeline = config_.pipeline;

  const LatencyHistogram& h = tally_.measure_latency;
  auto us = [&](double p) {
    return h.count() > 0 ? static_cast<double>(h.value_at_percentile(p)) / 1000 : nan;
  };
  r.p50_us = us(50);
  r.p90_us = us(90);
  r.p99_us = us(99);
  r.p999_us = us(99.9);
  r.p9999_us = us(99.99);
  r.max_us = h.count() > 0 ? static_cast<double>(h.max()) / 1000 : nan;
  r.mean_us = h.count() > 0 ? h.mean() / 1000 : nan;
  r.latency_saturated = h.saturated_count();
  r.latency = h;

  r.expected = tally_.measured_sent;
  r.delivered = tally_.measured_answered;
  r.lost = r.expected > r.delivered ? r.expected - r.delivered : 0;
  r.duplicated = tally_.duplicated;
  r.reordered = tally_.reordered;
  r.events_per_s = static_cast<double>(r.delivered) / config_.duration_s;

  const double window_s = static_cast<double>(window_end_.mono_ns - window_start_.mono_ns) / 1e9;
  // Sends stop at the window's end, so the operations sent in the window are exactly the measured ones.
  r.requests = tally_.measured_sent;
  r.requests_per_event =
      r.delivered > 0 ? static_cast<double>(r.requests) / static_cast<double>(r.delivered) : nan;
  r.requests_per_s = window_s > 0 ? static_cast<double>(r.requests) / window_s : nan;
  r.effective_poll_interval_ms = nan;
  r.empty_responses = tally_.status_204;
  r.responses_2xx = tally_.status_2xx;
  r.responses_3xx = tally_.status_3xx;
  r.responses_4xx = tally_.status_4xx;
  fill_wire_figures(r, wire_delta(window_end_.wire, window_start_.wire), window_s);
  fill_process_figures(r, RunWindowSnapshots{before_connect_, idle_, idle_connected_, window_start_,
                                             window_end_, url_.loopback});

  const ErrorTally& e = tally_.errors;
  r.errors_refused = e.count(ClientErrorKind::kRefused);
  r.errors_reset = e.count(ClientErrorKind::kReset);
  r.errors_timeout = e.count(ClientErrorKind::kTimeout);
  r.errors_protocol = e.count(ClientErrorKind::kProtocol);
  r.errors_http_status = e.count(ClientErrorKind::kHttpStatus);
  r.errors_total = e.total();
  for (auto kind : kAllClientErrorKinds) {
    if (e.count(kind) > 0) r.error_examples.emplace_back(client_error_name(kind), e.first_detail(kind));
  }
  r.publish_via = "none";
  r.publish_max_lateness_us = 0;
  r.warmup_events = tally_.warmup_answers;
  r.unstamped_events = tally_.unstamped;

  if (r.generator_bottleneck != 0) {
    r.warnings.push_back(fmt::format(
        "the generator used {:.0f}% of a core in the measure phase: in a closed loop the generator or the "
        "server sets the rate, and here it may have been the generator; compare gen_cpu_us_per_op with "
        "server_cpu_us_per_op, or run several generator processes",
        r.generator_cpu_pct));
  }
  if (r.connected < r.clients) {
    r.warnings.push_back(
        fmt::format("only {} of {} connections were ready when measuring began", r.connected, r.clients));
  }
  if (!drain_complete_ && r.lost > 0) {
    r.warnings.push_back(
        fmt::format("the drain ended after --drain-s {} with {} still in flight; some of the lost may only "
                    "have been late",
                    config_.drain_s, in_flight()));
  }
  if (echo) {
    const std::size_t stamp = payload_stamp_bytes(PayloadStamp{tally_.measured_sent, window_end_.mono_ns});
    if (config_.payload_bytes < stamp) {
      r.warnings.push_back(fmt::format(
          "--payload-bytes {} is smaller than the {}-byte stamp: messages carried the stamp alone",
          config_.payload_bytes, stamp));
    }
  }
  if (r.unstamped_events > 0) {
    r.warnings.push_back(
        fmt::format("{} messages without our stamp arrived: the server at {} is not a plain echo server",
                    r.unstamped_events, config_.url));
  }
  if (r.latency_saturated > 0) {
    r.warnings.push_back(fmt::format("{} latencies exceeded the histogram's range", r.latency_saturated));
  }
  return r;
}

}  // namespace

LoadOutcome run_round_trip(const LoadConfig& config, ServerUrl url, LoadObserver* observer,
                           double progress_interval_s) {
  RoundTripRun run(config, std::move(url), observer, progress_interval_s);
  return run.run();
}

}  // namespace rtb
