#include "harness/scenario/load_run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>

#include "harness/metrics/proc_sampler.hpp"
#include "harness/scenario/client_factory.hpp"
#include "harness/scenario/payload_stamp.hpp"
#include "harness/scenario/phased_load_run.hpp"
#include "harness/scenario/publisher.hpp"
#include "harness/scenario/round_trip_run.hpp"
#include "harness/scenario/run_metadata.hpp"
#include "harness/scenario/run_window.hpp"
#include "harness/scenario/server_url.hpp"
#include "harness/scenario/subscriber_pool.hpp"
#include "transports/common/client_request.hpp"
#include "transports/net/loop.hpp"
#include "transports/net/uv_handle.hpp"

namespace rtb {

namespace {

LoadOutcome failed_outcome(std::string why) {
  LoadOutcome outcome;
  outcome.error = std::move(why);
  return outcome;
}

// The subscriber run: an open-loop publisher and N subscribers that count every event they receive.
class LoadRun final : public PhasedLoadRun {
 public:
  using PhasedLoadRun::PhasedLoadRun;

 private:
  std::string prepare() override;
  std::uint64_t opened() const override { return pool_ ? pool_->opened() : 0; }
  std::uint64_t connecting() const override { return pool_ ? pool_->connecting() : 0; }
  std::uint64_t ready() const override { return shared_.ready; }
  ClientWireCounters wire_totals() const override {
    return pool_ ? pool_->wire_totals() : ClientWireCounters{};
  }
  const ErrorTally& errors() const override { return shared_.errors; }
  void open_clients(std::uint64_t n) override { pool_->open(n); }
  void give_up_connecting() override { pool_->give_up_connecting(); }
  void start_load(std::uint64_t now) override;
  // Also whoever connected during the warm-up.
  void on_measure_start() override { pool_->count_connected(); }
  bool drained() const override {
    if (!publisher_) return published_ && pool_->all_delivered(published_->measured_acked);
    return publisher_->schedule_done() && publisher_->in_flight() == 0 &&
           pool_->all_delivered(publisher_->stats().measured_acked);
  }
  void on_tick(std::uint64_t now) override;
  void send_published();
  void on_group_message(std::string_view word, std::string_view rest) override;
  // In a --procs group only process 0 publishes; the others learn the marker and the measured ids from it.
  bool publishes() const { return config_.proc_index <= 0; }
  PublisherStats publisher_stats() const {
    return publisher_ ? publisher_->stats() : published_.value_or(PublisherStats{});
  }
  void stop_load() override;
  std::uint64_t received() const override { return shared_.events_received; }
  const LatencyHistogram& progress_latency() const override {
    return shared_.measure_latency.count() > 0 ? shared_.measure_latency : shared_.warmup_latency;
  }
  void fill_progress(LoadProgress& p) const override {
    p.publish_late = publisher_stats().late;
    p.publish_dropped = publisher_stats().dropped;
  }
  LoadResult compute_result() override;
  std::uint64_t straight_to_server_bytes() const override {
    if (!publisher_) return 0;
    if (const TlsContext* t = publisher_tls().context; t != nullptr) {
      return t->counters().record_bytes_out + t->counters().record_bytes_in;
    }
    return publisher_->bytes_up() + publisher_->bytes_down();
  }
  void on_marker(bool ok, std::uint64_t id, const std::string& error);

  SubscriberShared shared_;
  std::unique_ptr<Publisher> publisher_;
  std::unique_ptr<SubscriberPool> pool_;
  std::uint64_t since_ = 0;
  std::uint64_t request_head_bytes_ = 0;
  // A group's non-publishing process: what process 0's publisher did in the window, once it is done.
  std::optional<PublisherStats> published_;
  bool published_sent_ = false;
};

std::string LoadRun::prepare() {
  // A group's other processes subscribe after process 0's marker: "since" brings its id.
  if (!publishes()) return {};
  PublisherOptions po;
  po.via = config_.effective_publish_via();
  po.target.server = publish_url_.address;
  po.target.host_header = publish_url_.host_header;
  po.target.path_prefix = publish_url_.path_prefix;
  po.target.channel = config_.channel;
  po.target.tls = publisher_tls();
  po.payload_bytes = config_.payload_bytes;
  po.rate = config_.rate;
  po.max_in_flight = config_.effective_max_in_flight();
  po.late_ns = static_cast<std::uint64_t>(config_.effective_late_ms() * 1e6);
  publisher_ = std::make_unique<Publisher>(loop_, po);
  // Subscribers start after the marker, so they count exactly the ids published after it.
  publisher_->publish_marker(
      [this](bool ok, std::uint64_t id, const std::string& error) { on_marker(ok, id, error); });
  return {};
}

void LoadRun::on_marker(bool ok, std::uint64_t id, const std::string& error) {
  if (!ok) {
    // A server that answered (400: it refused the request, e.g. the channel) is there; only a connection
    // that failed asks whether a server listens.
    const bool answered = error.find("answered") != std::string::npos;
    finish(fmt::format("cannot publish to {} ({}){}",
                       config_.publish_url.empty() ? config_.url : config_.publish_url, error,
                       answered ? "; the server refused the publish: check --channel and --payload-bytes "
                                  "against its limits"
                                : "; is an rtbench-compatible server listening there?"));
    return;
  }
  since_ = id;
  if (in_group() && publishes()) send_to_group(fmt::format("since {}", id));

  ClientOptions client;
  ProxyRoute route = client_route(config_.transport.module->upgrades_connection);
  client.server = route.connect_to;
  client.tunnel_to = std::move(route.tunnel_to);
  client.host_header = url_.host_header;
  client.path_prefix = route.origin + url_.path_prefix;
  client.channel = config_.channel;
  client.since = since_;
  client.poll_interval_ms = config_.poll_interval_ms;
  client.connection_per_request = config_.connection_per_request;
  client.longpoll_timeout_ms = config_.longpoll_timeout_ms;
  client.request_timeout_ms = config_.request_timeout_ms;
  client.tls = client_tls();
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
  begin_connecting(monotonic_now_ns());
}

void LoadRun::start_load(std::uint64_t now) {
  shared_.measure_start_ns = measure_start_ns_;
  shared_.measure_end_ns = measure_end_ns_;
  pool_->count_connected();
  if (publisher_)
    publisher_->start(now + first_slot_delay_ns(config_.rate), measure_start_ns_, measure_end_ns_);
}

void LoadRun::stop_load() {
  if (pool_) pool_->stop_all();
  if (publisher_) publisher_->stop();
  // This process may be done before a tick saw its publisher done (its own subscribers drained at once).
  send_published();
}

void LoadRun::on_tick(std::uint64_t) {
  if (publisher_ && phase() == LoadPhase::kDrain && publisher_->schedule_done() &&
      publisher_->in_flight() == 0) {
    send_published();
  }
}

void LoadRun::send_published() {
  if (!in_group() || !publisher_ || published_sent_) return;
  published_sent_ = true;
  const PublisherStats& ps = publisher_->stats();
  send_to_group(
      fmt::format("published {} {} {}", ps.first_measured_id, ps.last_measured_id, ps.measured_acked));
}

void LoadRun::on_group_message(std::string_view word, std::string_view rest) {
  std::uint64_t a = 0, b = 0, c = 0;
  const std::string text(rest);
  if (word == "since" && !publishes() && !pool_ && std::sscanf(text.c_str(), "%" SCNu64, &a) == 1) {
    on_marker(true, a, {});
  } else if (word == "published" && !publishes() &&
             std::sscanf(text.c_str(), "%" SCNu64 " %" SCNu64 " %" SCNu64, &a, &b, &c) == 3) {
    PublisherStats ps;
    ps.first_measured_id = a;
    ps.last_measured_id = b;
    ps.measured_acked = c;
    published_ = ps;
  } else {
    finish(fmt::format("the --procs parent sent a line this process does not expect: {} {}", word, rest));
  }
}

LoadResult LoadRun::compute_result() {
  const double nan = std::nan("");
  LoadResult r = base_result(shared_.measure_latency);
  r.connected = pool_->counted();
  r.rate = config_.rate;
  r.payload_bytes = config_.payload_bytes;
  r.request_head_bytes = request_head_bytes_;
  r.poll_interval_ms = config_.poll_interval_ms;
  r.connection_per_request = config_.connection_per_request ? 1 : 0;

  const PublisherStats ps = publisher_stats();
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
  const double window_s = this->window_s();
  const ClientWireCounters w = wire_delta(window_end_.wire, window_start_.wire);
  r.requests = w.requests;
  r.empty_responses = w.empty_responses;
  r.requests_per_event = per_event(w.requests);
  r.requests_per_s = window_s > 0 ? static_cast<double>(w.requests) / window_s : nan;
  r.effective_poll_interval_ms =
      polls_on_interval(config_.transport) && w.requests > 0
          ? static_cast<double>(r.connected) * window_s * 1000 / static_cast<double>(w.requests)
          : nan;
  fill_wire_figures(r, w, window_s);
  fill_process_figures(r, window());

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
  // A few late sends are scheduling noise; more than 1% of them, or any slot dropped, is a publisher that
  // could not keep its rate (the threshold itself is relative to the interval:
  // LoadConfig::effective_late_ms).
  if (ps.late * 100 > ps.sent || ps.dropped > 0) {
    r.warnings.push_back(fmt::format(
        "the publisher could not hold {} events/s: {} sends late by more than {} ms, {} slots "
        "dropped{} (latency "
        "counts from each event's slot, so lateness is in it)",
        config_.rate, ps.late, config_.effective_late_ms(), ps.dropped,
        ps.dropped > 0
            ? fmt::format(", {} of them in the window; first: {}", ps.measured_dropped, ps.first_drop)
            : std::string()));
  }
  // Sent in the window, neither answered nor failed when the run ended: their subscribers expected nothing.
  if (const std::uint64_t unanswered = ps.measured_sent - std::min(ps.measured_sent, ps.measured_acked);
      unanswered > 0) {
    r.warnings.push_back(fmt::format(
        "{} of the window's {} publishes got no id back by the end of the drain (failed or unanswered; their "
        "events are not expected)",
        unanswered, ps.measured_sent));
  }
  if (ps.errors > 0) r.warnings.push_back(fmt::format("{} publishes failed: {}", ps.errors, ps.first_error));
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
  add_shared_warnings(r);
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
