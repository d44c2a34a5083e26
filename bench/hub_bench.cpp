// Measures Hub::publish with fan-out to 0, 1, 100 and 10,000 socket-less subscribers that queue the shared
// encoded buffer as a send queue would, and checks that each event is encoded once and shared by all of them.
#include <benchmark/benchmark.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench/alloc_counter.hpp"
#include "bench/bench_support.hpp"
#include "transports/pubsub/hub.hpp"
#include "transports/common/sse_encoder.hpp"
#include "transports/websocket/ws_frame_encoder.hpp"

namespace rtb {
namespace {

struct EncodeTally {
  std::uint64_t encodes = 0;
  std::uint64_t allocs = 0;
};

// Stands in for an SSE or WebSocket session: takes the event's shared encoding and copies the handle into a
// small ring, the way a session hands it to TcpConnection's write queue. The ring keeps the last few buffers
// alive like a queue that has not drained yet, so the release of older handles is part of the cost too.
class QueueingSubscriber final : public HubSubscriber {
 public:
  QueueingSubscriber(WireEncoding encoding, EncodeTally& tally) : encoding_(encoding), tally_(tally) {}

  void on_hub_event(const Event& event) override {
    const SharedBuffer& bytes = event.encoded_as(encoding_, [this](const Event& e) {
      // Allocations inside the encoder are tallied apart, so the rest (hub and fan-out) can be judged alone.
      const std::uint64_t before = bench::alloc_totals().allocs;
      SharedBuffer out = encode(e);
      ++tally_.encodes;
      tally_.allocs += bench::alloc_totals().allocs - before;
      return out;
    });
    queue_[head_++ % kQueueDepth] = bytes;
  }

  WireEncoding encoding() const { return encoding_; }
  const SharedBuffer& newest() const { return queue_[(head_ - 1) % kQueueDepth]; }

 private:
  static constexpr std::size_t kQueueDepth = 8;

  SharedBuffer encode(const Event& e) const {
    if (encoding_ == WireEncoding::kSseRecord) return sse_encode_event_buffer(e.id, e.text());
    // The WebSocket wire form "<id> <data>" as one text frame.
    char prefix[24];
    char* end = std::to_chars(prefix, prefix + sizeof(prefix) - 1, e.id).ptr;
    *end++ = ' ';
    return ws_encode_server_frame_parts(WsOpcode::kText, {prefix, static_cast<std::size_t>(end - prefix)},
                                        e.text());
  }

  WireEncoding encoding_;
  EncodeTally& tally_;
  std::array<SharedBuffer, kQueueDepth> queue_;
  std::size_t head_ = 0;
};

// range(0) subscribers on one channel; `mixed` alternates SSE and WebSocket subscribers, so every event has
// two encodings (still one each).
void BM_HubPublishFanout(benchmark::State& state, bool mixed) {
  const auto subscribers = static_cast<std::size_t>(state.range(0));
  Hub hub;
  Channel* channel = hub.channel("default");
  EncodeTally tally;
  // One allocation per subscriber, as sessions are allocated one per connection.
  std::vector<std::unique_ptr<QueueingSubscriber>> subs;
  subs.reserve(subscribers);
  for (std::size_t i = 0; i < subscribers; ++i) {
    const bool ws = mixed && i % 2 == 1;
    subs.push_back(std::make_unique<QueueingSubscriber>(
        ws ? WireEncoding::kWsTextFrame : WireEncoding::kSseRecord, tally));
    channel->subscribe(*subs.back());
  }
  const std::string payload = bench::event_payload(1);
  // Steady state before measuring: the history ring is full, so every publish evicts the oldest event and
  // reuses its text buffer, as a long-running server does.
  for (std::size_t i = 0; i < hub.config().history; ++i) hub.publish("default", payload);
  tally = {};
  const std::uint64_t deliveries_before = hub.counters().deliveries;

  bench::AllocWindow allocs;
  for (auto _ : state) {
    benchmark::DoNotOptimize(hub.publish("default", payload));
  }
  allocs.stop();

  const auto publishes = static_cast<double>(state.iterations());
  const auto deliveries = static_cast<double>(hub.counters().deliveries - deliveries_before);
  // Encode-once check: every subscriber's newest queued buffer is the very block the event holds, and the
  // block's reference count is one per subscriber of that encoding plus the event's own slot.
  const Event& last = channel->history().at(channel->last_id());
  std::array<std::size_t, 2> per_encoding{};
  for (const auto& s : subs) {
    const SharedBuffer& expected = last.encoded[static_cast<std::size_t>(s->encoding())];
    ++per_encoding[static_cast<std::size_t>(s->encoding())];
    if (s->newest().data() != expected.data()) {
      state.SkipWithError("a subscriber queued a buffer other than the event's shared encoding");
      break;
    }
  }
  double refs_per_subscriber = 0;
  if (subscribers > 0) {
    std::size_t extra_refs = 0;
    for (std::size_t k = 0; k < per_encoding.size(); ++k) {
      if (per_encoding[k] > 0) extra_refs += last.encoded[k].use_count() - 1;
    }
    refs_per_subscriber = static_cast<double>(extra_refs) / static_cast<double>(subscribers);
  }

  state.SetItemsProcessed(static_cast<std::int64_t>(deliveries));
  // Wire bytes handed to send queues: a rate to hold against a NIC, not bytes copied (the block is shared).
  state.SetBytesProcessed(static_cast<std::int64_t>(deliveries) *
                          static_cast<std::int64_t>(last.encoded[0].size()));
  state.counters["time_per_publish"] =
      benchmark::Counter(publishes, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  allocs.report(state, "allocs_per_publish", publishes);
  state.counters["encodes_per_publish"] = static_cast<double>(tally.encodes) / publishes;
  state.counters["encode_allocs_per_publish"] = static_cast<double>(tally.allocs) / publishes;
  // Everything but the encoder: the hub's own work plus the fan-out, the part that must not allocate.
  const auto other_allocs = static_cast<double>(allocs.allocs() - tally.allocs);
  state.counters["other_allocs_per_publish"] = other_allocs / publishes;
  if (subscribers > 0) {
    state.counters["time_per_delivery"] =
        benchmark::Counter(deliveries, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
    state.counters["allocs_per_delivery"] = other_allocs / deliveries;
    // 1.0 means every subscriber holds the same block: one encoding, shared.
    state.counters["refs_per_subscriber"] = refs_per_subscriber;
  }
}
BENCHMARK_CAPTURE(BM_HubPublishFanout, sse, false)
    ->ArgName("subscribers")
    ->Arg(0)
    ->Arg(1)
    ->Arg(100)
    ->Arg(10'000);
BENCHMARK_CAPTURE(BM_HubPublishFanout, sse_and_ws, true)->ArgName("subscribers")->Arg(100)->Arg(10'000);

// The clock read that every Hub::publish pays (monotonic_ns, clock_gettime): on a VM it is not free.
void BM_MonotonicNs(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(monotonic_ns());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MonotonicNs);

}  // namespace
}  // namespace rtb
