#include "harness/scenario/load_run.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <memory>
#include <optional>

#include "harness/metrics/proc_sampler.hpp"
#include "harness/scenario/client_factory.hpp"
#include "harness/scenario/payload_stamp.hpp"
#include "harness/scenario/publisher.hpp"
#include "harness/scenario/round_trip_run.hpp"
#include "harness/scenario/run_metadata.hpp"
#include "harness/scenario/run_window.hpp"
#include "harness/scenario/server_url.hpp"
#include "harness/scenario/subscriber_pool.hpp"
#include "transports/net/loop.hpp"
#include "transports/net/uv_handle.hpp"
#include "transports/poll/poll_client.hpp"

namespace rtb {

namespace {

constexpr std::uint64_t kControlTickMs = 2;
// After the last connect, time for the server to accept and set up every session before its memory is read
// as "N idle connections" (a connect completes in the kernel before the server has accepted it).
constexpr std::uint64_t kSettleNs = 300'000'000;
constexpr std::uint64_t kDrainCheckNs = 20'000'000;

LoadOutcome failed_outcome(std::string why) {
  LoadOutcome outcome;
  outcome.error = std::move(why);
  return outcome;
}

constexpr std::uint64_t to_ns(double seconds) {
  return static_cast<std::uint64_t>(seconds * 1e9);
}

class LoadRun {
 public:
  LoadRun(const LoadConfig& config, ServerUrl url, LoadObserver* observer, double progress_interval_s)
      : config_(config),
        url_(std::move(url)),
        observer_(observer),
        progress_interval_s_(progress_interval_s) {}

  LoadOutcome run();

 private:
  RunSnapshot snapshot();
  void on_marker(bool ok, std::uint64_t id, const std::string& error);
  void tick();
  void step_connecting(std::uint64_t now);
  void begin_publishing(std::uint64_t now);
  void begin_measure(std::uint64_t now);
  void end_measure(std::uint64_t now);
  void step_drain(std::uint64_t now);
  void finish(std::string error = {});
  void report_progress();
  void set_phase(LoadPhase phase, std::uint64_t now, double length_s);
  LoadResult compute_result();

  const LoadConfig& config_;
  ServerUrl url_;
  LoadObserver* observer_;
  double progress_interval_s_;

  Loop loop_{1};  // 1 ms timer wheel: poll intervals and timeouts to the millisecond
  SubscriberShared shared_;
  std::unique_ptr<Publisher> publisher_;
  std::unique_ptr<SubscriberPool> pool_;
  UvHandle<uv_timer_t> control_;
  UvHandle<uv_timer_t> progress_;

  LoadPhase phase_ = LoadPhase::kStarting;
  std::uint64_t phase_start_ns_ = 0;
  double phase_length_s_ = 0;
  std::chrono::system_clock::time_point started_at_;
  std::uint64_t since_ = 0;
  std::uint64_t connect_start_ns_ = 0;
  std::uint64_t settle_until_ns_ = 0;
  std::uint64_t measure_start_ns_ = 0;
  std::uint64_t measure_end_ns_ = 0;
  std::uint64_t drain_deadline_ns_ = 0;
  std::uint64_t next_drain_check_ns_ = 0;
  bool drain_complete_ = false;
  std::uint64_t idle_connected_ = 0;
  std::uint64_t request_head_bytes_ = 0;
  RunSnapshot before_connect_, idle_, window_start_, window_end_;
  std::uint64_t progress_events_ = 0;
  std::uint64_t progress_ns_ = 0;
  std::string error_;
};

RunSnapshot LoadRun::snapshot() {
  return take_run_snapshot(pool_ ? pool_->wire_totals() : ClientWireCounters{}, config_.server_pid);
}

void LoadRun::set_phase(LoadPhase phase, std::uint64_t now, double length_s) {
  phase_ = phase;
  phase_start_ns_ = now;
  phase_length_s_ = length_s;
}

LoadOutcome LoadRun::run() {
  started_at_ = std::chrono::system_clock::now();
  if (std::string e = ensure_descriptors(config_.clients); !e.empty()) return failed_outcome(e);
  before_connect_ = snapshot();
  if (config_.server_pid > 0 && !before_connect_.server) {
    return failed_outcome(fmt::format("--server-pid {}: no such process, or its /proc entries are unreadable",
                                      config_.server_pid));
  }

  PublisherOptions po;
  po.via = config_.effective_publish_via();
  po.target.server = url_.address;
  po.target.host_header = url_.host_header;
  po.target.path_prefix = url_.path_prefix;
  po.target.channel = config_.channel;
  po.payload_bytes = config_.payload_bytes;
  po.rate = config_.rate;
  po.max_in_flight = config_.effective_max_in_flight();
  po.late_ns = static_cast<std::uint64_t>(config_.late_ms * 1e6);
  publisher_ = std::make_unique<Publisher>(loop_, po);

  uv_timer_init(loop_.get(), control_.get());
  control_.set_initialised();
  control_->data = this;
  uv_timer_init(loop_.get(), progress_.get());
  progress_.set_initialised();
  progress_->data = this;

  set_phase(LoadPhase::kStarting, monotonic_now_ns(), 0);
  publisher_->publish_marker(
      [this](bool ok, std::uint64_t id, const std::string& error) { on_marker(ok, id, error); });
  if (observer_ != nullptr && progress_interval_s_ > 0) {
    const auto every = static_cast<std::uint64_t>(progress_interval_s_ * 1000);
    uv_timer_start(
        progress_.get(),
        [](uv_timer_t* t) {
          if (t->data != nullptr) static_cast<LoadRun*>(t->data)->report_progress();
        },
        every, every);
  }
  loop_.run();

  LoadOutcome outcome;
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

void LoadRun::on_marker(bool ok, std::uint64_t id, const std::string& error) {
  if (!ok) {
    finish(fmt::format("cannot publish to {} ({}); is an rtbench-compatible server listening there?",
                       config_.url, error));
    return;
  }
  since_ = id;

  ClientOptions client;
  client.server = url_.address;
  client.host_header = url_.host_header;
  client.path_prefix = url_.path_prefix;
  client.channel = config_.channel;
  client.since = since_;
  client.poll_interval_ms = config_.poll_interval_ms;
  client.connection_per_request = config_.connection_per_request;
  client.longpoll_timeout_ms = config_.longpoll_timeout_ms;
  client.request_timeout_ms = config_.request_timeout_ms;
  // Sized profiles pad up from the head the request would have without them.
  const std::string target = reference_target(config_.transport, client);
  const bool close = config_.connection_per_request;
  const std::size_t base = build_get_request(client, target, close).size();
  auto extra = header_profile_text(config_.headers, base, close);
  if (!extra) {
    finish(fmt::format("--headers {}: the smallest request head for this URL and channel is {} bytes",
                       config_.headers.name(), min_sized_head_bytes(base)));
    return;
  }
  client.extra_headers = std::move(*extra);
  request_head_bytes_ = build_get_request(client, target, close).size();

  SubscriberPoolOptions options;
  options.transport = config_.transport;
  options.client = std::move(client);
  options.sources = config_.sources;
  options.clients = config_.clients;
  options.seed = config_.seed;
  pool_ = std::make_unique<SubscriberPool>(loop_, std::move(options), shared_);

  const std::uint64_t now = monotonic_now_ns();
  connect_start_ns_ = now;
  set_phase(LoadPhase::kConnecting, now, 0);
  uv_timer_start(
      control_.get(),
      [](uv_timer_t* t) {
        if (t->data != nullptr) static_cast<LoadRun*>(t->data)->tick();
      },
      0, kControlTickMs);
}

void LoadRun::tick() {
  const std::uint64_t now = monotonic_now_ns();
  switch (phase_) {
    case LoadPhase::kStarting:
      break;
    case LoadPhase::kConnecting:
      step_connecting(now);
      break;
    case LoadPhase::kSettling:
      if (now >= settle_until_ns_) begin_publishing(now);
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
    case LoadPhase::kDone:
      break;
  }
}

void LoadRun::step_connecting(std::uint64_t now) {
  const double elapsed_s = static_cast<double>(now - connect_start_ns_) / 1e9;
  if (!pool_->all_opened()) {
    // Paced by --connect-rate, and never more than --connect-batch in the server's accept queue at once.
    pool_->open(connects_due(elapsed_s, config_.connect_rate, config_.connect_batch, pool_->opened(),
                             pool_->connecting()));
  }
  const bool settled = pool_->all_opened() && pool_->connecting() == 0;
  if (!settled && elapsed_s < config_.connect_timeout_s) return;
  if (!settled) pool_->give_up_connecting();
  if (shared_.ready == 0) {
    finish(fmt::format("no subscriber could connect to {} ({} errors; first: {})", config_.url,
                       shared_.errors.total(), [&] {
                         for (auto kind : kAllClientErrorKinds) {
                           if (shared_.errors.count(kind) > 0) return shared_.errors.first_detail(kind);
                         }
                         return std::string("none reported");
                       }()));
    return;
  }
  settle_until_ns_ = now + kSettleNs;
  set_phase(LoadPhase::kSettling, now, static_cast<double>(kSettleNs) / 1e9);
}

void LoadRun::begin_publishing(std::uint64_t now) {
  idle_ = snapshot();
  idle_connected_ = shared_.ready;
  const std::uint64_t t0 = now;
  measure_start_ns_ = t0 + to_ns(config_.warmup_s);
  measure_end_ns_ = measure_start_ns_ + to_ns(config_.duration_s);
  shared_.measure_start_ns = measure_start_ns_;
  shared_.measure_end_ns = measure_end_ns_;
  pool_->count_connected();
  publisher_->start(t0, measure_start_ns_, measure_end_ns_);
  set_phase(LoadPhase::kWarmup, now, config_.warmup_s);
  if (measure_start_ns_ <= now) begin_measure(now);
}

void LoadRun::begin_measure(std::uint64_t now) {
  pool_->count_connected();  // also whoever connected during the warm-up
  window_start_ = snapshot();
  set_phase(LoadPhase::kMeasure, now, config_.duration_s);
}

void LoadRun::end_measure(std::uint64_t now) {
  window_end_ = snapshot();
  drain_deadline_ns_ = now + to_ns(config_.drain_s);
  next_drain_check_ns_ = now;
  set_phase(LoadPhase::kDrain, now, config_.drain_s);
  step_drain(now);
}

void LoadRun::step_drain(std::uint64_t now) {
  if (now >= next_drain_check_ns_) {
    next_drain_check_ns_ = now + kDrainCheckNs;
    if (publisher_->schedule_done() && publisher_->in_flight() == 0 &&
        pool_->all_delivered(publisher_->stats().measured_acked)) {
      drain_complete_ = true;
      finish();
      return;
    }
  }
  if (now >= drain_deadline_ns_) finish();
}

void LoadRun::finish(std::string error) {
  if (phase_ == LoadPhase::kDone) return;
  error_ = std::move(error);
  set_phase(LoadPhase::kDone, monotonic_now_ns(), 0);
  if (pool_) pool_->stop_all();
  publisher_->stop();
  uv_timer_stop(control_.get());
  uv_timer_stop(progress_.get());
  // Sessions and handles close when their owners are destroyed; the loop has nothing left to wait for.
  loop_.stop();
}

void LoadRun::report_progress() {
  const std::uint64_t now = monotonic_now_ns();
  LoadProgress p;
  p.phase = phase_;
  p.phase_elapsed_s = static_cast<double>(now - phase_start_ns_) / 1e9;
  p.phase_length_s = phase_length_s_;
  p.clients = config_.clients;
  p.connected = shared_.ready;
  p.connecting = pool_ ? pool_->connecting() : 0;
  const double dt = progress_ns_ == 0 ? 0 : static_cast<double>(now - progress_ns_) / 1e9;
  p.events_per_s = dt > 0 ? static_cast<double>(shared_.events_received - progress_events_) / dt : 0;
  progress_ns_ = now;
  progress_events_ = shared_.events_received;
  const LatencyHistogram& h =
      shared_.measure_latency.count() > 0 ? shared_.measure_latency : shared_.warmup_latency;
  p.p99_us = h.count() > 0 ? static_cast<double>(h.value_at_percentile(99)) / 1000 : std::nan("");
  p.errors = shared_.errors.total();
  p.publish_late = publisher_->stats().late;
  p.publish_dropped = publisher_->stats().dropped;
  observer_->on_progress(p);
}

LoadResult LoadRun::compute_result() {
  const double nan = std::nan("");
  LoadResult r;
  r.start_time = iso8601_utc(started_at_);
  r.end_time = iso8601_utc(std::chrono::system_clock::now());
  r.url = config_.url;
  r.transport = std::string(transport_name(config_.transport));
  r.clients = config_.clients;
  r.connected = pool_->counted();
  r.rate = config_.rate;
  r.payload_bytes = config_.payload_bytes;
  r.header_profile = config_.headers.name();
  r.request_head_bytes = request_head_bytes_;
  r.poll_interval_ms = config_.poll_interval_ms;
  r.connection_per_request = config_.connection_per_request ? 1 : 0;
  r.warmup_s = config_.warmup_s;
  r.duration_s = config_.duration_s;
  r.seed = config_.seed;

  const LatencyHistogram& h = shared_.measure_latency;
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

  const PublisherStats& ps = publisher_->stats();
  // Each subscriber's counter starts at since + 1 but is fed measured ids only: the warm-up ids
  // since + 1 .. first_measured_id - 1 sit in its first hole (or its trailing range) and are taken out here.
  const std::uint64_t warmup_ids = ps.first_measured_id > since_ ? ps.first_measured_id - since_ - 1 : 0;
  for (const auto& s : pool_->subscribers()) {
    if (!s->counted()) continue;
    DeliveryCounter& d = s->measured();
    r.delivered += d.delivered();
    r.duplicated += d.duplicates();
    r.reordered += d.reordered();
    if (ps.measured_acked == 0) continue;
    d.expect_through(ps.last_measured_id);
    const std::uint64_t lost = d.lost();
    r.lost += lost > warmup_ids ? lost - warmup_ids : 0;
  }
  r.expected = ps.measured_acked * r.connected;
  r.events_per_s = static_cast<double>(r.delivered) / config_.duration_s;

  const double delivered = static_cast<double>(r.delivered);
  auto per_event = [&](std::uint64_t v) {
    return r.delivered > 0 ? static_cast<double>(v) / delivered : nan;
  };
  const double window_s = static_cast<double>(window_end_.mono_ns - window_start_.mono_ns) / 1e9;
  const ClientWireCounters w = wire_delta(window_end_.wire, window_start_.wire);
  r.requests = w.requests;
  r.empty_responses = w.empty_responses;
  r.requests_per_event = per_event(w.requests);
  r.requests_per_s = window_s > 0 ? static_cast<double>(w.requests) / window_s : nan;
  r.effective_poll_interval_ms =
      config_.transport == TransportKind::kPoll && w.requests > 0
          ? static_cast<double>(r.connected) * window_s * 1000 / static_cast<double>(w.requests)
          : nan;
  fill_wire_figures(r, w, window_s);
  fill_process_figures(r, RunWindowSnapshots{before_connect_, idle_, idle_connected_, window_start_,
                                             window_end_, url_.loopback});

  const ErrorTally& e = shared_.errors;
  r.errors_refused = e.count(ClientErrorKind::kRefused);
  r.errors_reset = e.count(ClientErrorKind::kReset);
  r.errors_timeout = e.count(ClientErrorKind::kTimeout);
  r.errors_protocol = e.count(ClientErrorKind::kProtocol);
  r.errors_http_status = e.count(ClientErrorKind::kHttpStatus);
  r.errors_total = e.total();
  for (auto kind : kAllClientErrorKinds) {
    if (e.count(kind) > 0) r.error_examples.emplace_back(client_error_name(kind), e.first_detail(kind));
  }
  if (!ps.first_error.empty()) r.error_examples.emplace_back("publish", ps.first_error);

  r.publish_via = std::string(publish_via_name(config_.effective_publish_via()));
  r.publish_scheduled = ps.scheduled;
  r.publish_sent = ps.sent;
  r.publish_late = ps.late;
  r.publish_dropped = ps.dropped;
  r.publish_errors = ps.errors;
  r.publish_max_lateness_us = static_cast<double>(ps.max_lateness_ns) / 1000;
  r.warmup_events = shared_.warmup_events;
  r.unstamped_events = shared_.unstamped_events;
  r.gap_reports = shared_.gap_reports;

  // Warnings: what a careful reader must know before trusting the numbers.
  if (r.generator_bottleneck != 0) {
    r.warnings.push_back(
        fmt::format("the generator used {:.0f}% of a core in the measure phase: it may have been the "
                    "bottleneck; use fewer "
                    "clients or several generator processes",
                    r.generator_cpu_pct));
  }
  if (ps.late > 0 || ps.dropped > 0) {
    r.warnings.push_back(
        fmt::format("the publisher could not hold {} events/s: {} sends late by more than {} ms, {} slots "
                    "dropped (latency "
                    "counts from each event's slot, so lateness is in it)",
                    config_.rate, ps.late, config_.late_ms, ps.dropped));
  }
  if (ps.errors > 0) r.warnings.push_back(fmt::format("{} publishes failed: {}", ps.errors, ps.first_error));
  if (r.connected < r.clients) {
    r.warnings.push_back(
        fmt::format("only {} of {} subscribers were connected when measuring began", r.connected, r.clients));
  }
  if (!drain_complete_ && r.lost > 0) {
    r.warnings.push_back(
        fmt::format("the drain ended after --drain-s {} with events still missing; some of the lost may only "
                    "have been late",
                    config_.drain_s));
  }
  const std::size_t stamp = payload_stamp_bytes(PayloadStamp{ps.scheduled, measure_end_ns_});
  if (config_.payload_bytes < stamp && config_.rate > 0) {
    r.warnings.push_back(
        fmt::format("--payload-bytes {} is smaller than the {}-byte stamp: events carried the stamp alone",
                    config_.payload_bytes, stamp));
  }
  if (r.unstamped_events > 0) {
    r.warnings.push_back(
        fmt::format("{} events without our stamp arrived: someone else publishes on channel {}",
                    r.unstamped_events, config_.channel));
  }
  if (r.latency_saturated > 0) {
    r.warnings.push_back(fmt::format("{} latencies exceeded the histogram's range", r.latency_saturated));
  }
  return r;
}

}  // namespace

std::string_view load_phase_name(LoadPhase phase) {
  switch (phase) {
    case LoadPhase::kStarting:
      return "start";
    case LoadPhase::kConnecting:
      return "connect";
    case LoadPhase::kSettling:
      return "settle";
    case LoadPhase::kWarmup:
      return "warm-up";
    case LoadPhase::kMeasure:
      return "measure";
    case LoadPhase::kDrain:
      return "drain";
    case LoadPhase::kDone:
      return "done";
  }
  return "unknown";
}

LoadOutcome run_load(const LoadConfig& config, LoadObserver* observer, double progress_interval_s) {
  if (std::string e = validate_load_config(config); !e.empty()) return failed_outcome(e);
  std::string error;
  const bool round_trip = is_round_trip(config.transport);
  auto url = parse_server_url(config.url, &error, round_trip);
  if (!url) return failed_outcome(error);
  if (round_trip) return run_round_trip(config, std::move(*url), observer, progress_interval_s);
  LoadRun run(config, std::move(*url), observer, progress_interval_s);
  return run.run();
}

}  // namespace rtb
