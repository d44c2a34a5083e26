#include "harness/scenario/round_trip_run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <vector>

#include "harness/scenario/echo_loop_client.hpp"
#include "harness/scenario/payload_stamp.hpp"
#include "harness/scenario/phased_load_run.hpp"
#include "harness/scenario/request_loop_client.hpp"
#include "harness/scenario/round_trip_tally.hpp"
#include "harness/scenario/run_metadata.hpp"
#include "harness/scenario/run_window.hpp"
#include "transports/common/client_request.hpp"
#include "transports/net/loop.hpp"
#include "transports/net/uv_handle.hpp"

namespace rtb {

namespace {

constexpr std::uint64_t kTimeoutSweepNs = 100'000'000;

// The closed-loop run: N connections each keeping `pipeline` operations in flight, no publisher.
class RoundTripRun final : public PhasedLoadRun {
 public:
  using PhasedLoadRun::PhasedLoadRun;

 private:
  std::string prepare() override;
  bool build_target();
  std::uint64_t opened() const override { return clients_.size(); }
  std::uint64_t connecting() const override;
  std::uint64_t ready() const override { return tally_.ready; }
  ClientWireCounters wire_totals() const override;
  const ErrorTally& errors() const override { return tally_.errors; }
  void open_clients(std::uint64_t n) override;
  void give_up_connecting() override {
    for (auto& c : clients_) c->give_up_connecting();
  }
  void start_load(std::uint64_t now) override;
  void on_measure_start() override;
  bool drained() const override { return in_flight() == 0; }
  void stop_load() override {
    for (auto& c : clients_) c->stop();
  }
  void on_tick(std::uint64_t now) override;
  std::uint64_t received() const override { return tally_.answers; }
  const LatencyHistogram& progress_latency() const override {
    return tally_.measure_latency.count() > 0 ? tally_.measure_latency : tally_.warmup_latency;
  }
  void fill_progress(LoadProgress& p) const override { p.round_trip = true; }
  LoadResult compute_result() override;
  std::uint64_t in_flight() const;

  RoundTripTally tally_;
  std::vector<RoundTripTarget> targets_;  // one per source address; clients point at theirs
  SharedBuffer request_;                  // http: the one request head every connection writes
  std::vector<std::unique_ptr<RoundTripClient>> clients_;
  std::uint64_t next_sweep_ns_ = 0;
  std::uint64_t connected_at_measure_ = 0;
  std::uint64_t request_head_bytes_ = 0;
  std::string target_error_;
};

// The request (http) or handshake (echo) target and the header profile, sized like the subscribers' heads.
bool RoundTripRun::build_target() {
  const bool echo = config_.transport == TransportKind::echo();
  ProxyRoute route = client_route(echo);
  RoundTripTarget base;
  base.server = route.connect_to;
  base.tunnel_to = std::move(route.tunnel_to);
  base.host_header = url_.host_header;
  base.pipeline = config_.pipeline;
  if (config_.request_rate > 0) {
    base.open_loop_spacing_ns = static_cast<std::uint64_t>(1e9 / config_.request_rate);
    base.open_loop_interval_ns =
        std::max<std::uint64_t>(1, static_cast<std::uint64_t>(1e9 * config_.clients / config_.request_rate));
  }
  base.payload_bytes = config_.payload_bytes;
  base.request_timeout_ms = config_.request_timeout_ms;
  base.tls = client_tls();
  base.target = route.origin + (!url_.request_target.empty() ? url_.request_target : echo ? "/echo" : "/");

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
    target_error_ = fmt::format("--headers {}: the smallest request head for this URL is {} bytes",
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

std::string RoundTripRun::prepare() {
  if (!build_target()) return target_error_;
  clients_.reserve(config_.clients);
  begin_connecting(monotonic_now_ns());
  return {};
}

ClientWireCounters RoundTripRun::wire_totals() const {
  ClientWireCounters sum;
  for (const auto& c : clients_) sum.add(c->counters());
  return sum;
}

void RoundTripRun::on_tick(std::uint64_t now) {
  if (now < next_sweep_ns_ || phase() == LoadPhase::kConnecting) return;
  next_sweep_ns_ = now + kTimeoutSweepNs;
  for (auto& c : clients_) c->check_timeout(now);
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

void RoundTripRun::open_clients(std::uint64_t n) {
  for (; n > 0; --n) {
    const RoundTripTarget& target = targets_[clients_.size() % targets_.size()];
    std::unique_ptr<RoundTripClient> client;
    if (config_.transport == TransportKind::echo()) {
      client = std::make_unique<EchoLoopClient>(loop_, target, tally_);
    } else {
      client = std::make_unique<RequestLoopClient>(loop_, target, request_, tally_, clients_.size());
    }
    client->open();
    clients_.push_back(std::move(client));
  }
}

void RoundTripRun::start_load(std::uint64_t) {
  tally_.send_until_ns = measure_end_ns_;
  for (auto& c : clients_) c->begin();
}

void RoundTripRun::on_measure_start() {
  // The window opens at the snapshot: operations sent from now on are measured, and the counters the
  // snapshot holds are exactly the ones sent before.
  // The window is --duration long from the snapshot, however late this tick ran on a busy host: a late
  // snapshot must not eat the window (no operation would be measured if it came after the planned end).
  measure_end_ns_ = window_start_.mono_ns + static_cast<std::uint64_t>(config_.duration_s * 1e9);
  tally_.measure_start_ns = window_start_.mono_ns;
  tally_.measure_end_ns = measure_end_ns_;
  tally_.send_until_ns = measure_end_ns_;
  connected_at_measure_ = tally_.ready;
}

LoadResult RoundTripRun::compute_result() {
  const double nan = std::nan("");
  const bool echo = config_.transport == TransportKind::echo();
  LoadResult r = base_result(tally_.measure_latency);
  r.connected = connected_at_measure_;
  r.rate = 0;  // no publisher
  r.payload_bytes = echo ? config_.payload_bytes : 0;
  r.request_head_bytes = request_head_bytes_;
  r.poll_interval_ms = 0;
  r.pipeline = config_.pipeline;

  r.expected = tally_.measured_sent;
  r.delivered = tally_.measured_answered;
  r.lost = r.expected > r.delivered ? r.expected - r.delivered : 0;
  r.duplicated = tally_.duplicated;
  r.reordered = tally_.reordered;
  r.events_per_s = static_cast<double>(r.delivered) / config_.duration_s;

  const double window_s = this->window_s();
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
  fill_process_figures(r, window());
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
  add_shared_warnings(r);
  return r;
}

}  // namespace

LoadOutcome run_round_trip(const LoadConfig& config, ServerUrl url, LoadObserver* observer,
                           double progress_interval_s) {
  RoundTripRun run(config, std::move(url), observer, progress_interval_s);
  return run.run();
}

}  // namespace rtb
