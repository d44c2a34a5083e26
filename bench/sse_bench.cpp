// Measures the SSE record codec: encoding one event (single-line and multi-line text, into a caller's buffer
// and into its own SharedBuffer) and the incremental SseParser reading a long stream in socket-sized chunks.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <string>
#include <string_view>

#include "bench/alloc_counter.hpp"
#include "bench/bench_support.hpp"
#include "transports/common/sse_encoder.hpp"
#include "transports/common/sse_parser.hpp"

namespace rtb {
namespace {

// A single-line event is what the load generator publishes; a multi-line one (4 lines) exercises the line
// splitting that turns every line end into a new `data:` field.
std::string event_text(bool multi_line) {
  if (!multi_line) return bench::event_payload(1);
  std::string s;
  for (int i = 0; i < 4; ++i) {
    if (i > 0) s += '\n';
    s += bench::event_payload(static_cast<std::uint64_t>(i), 60);
  }
  return s;
}

constexpr std::uint64_t kEventId = 1234567;

void report_events(benchmark::State& state, double events, std::size_t bytes_per_iteration,
                   const bench::AllocWindow& allocs) {
  state.SetItemsProcessed(static_cast<std::int64_t>(events));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes_per_iteration));
  state.counters["events"] = benchmark::Counter(events, benchmark::Counter::kIsRate);
  allocs.report(state, "allocs_per_event", events);
}

// sse_encode_event into a reused buffer: the record layout alone.
void BM_SseEncodeInto(benchmark::State& state, bool multi_line) {
  const std::string text = event_text(multi_line);
  std::string out(sse_event_encoded_size(kEventId, text), '\0');
  std::size_t n = 0;
  bench::AllocWindow allocs;
  for (auto _ : state) {
    benchmark::DoNotOptimize(text.data());
    n = sse_encode_event(out.data(), kEventId, text);
    benchmark::DoNotOptimize(out.data());
  }
  allocs.stop();
  report_events(state, static_cast<double>(state.iterations()), n, allocs);
  state.counters["record_bytes"] = static_cast<double>(n);
}
BENCHMARK_CAPTURE(BM_SseEncodeInto, single_line, false);
BENCHMARK_CAPTURE(BM_SseEncodeInto, multi_line, true);

// sse_encode_event_buffer: what a broadcast does once per event (size pass, allocation, write pass).
void BM_SseEncodeSharedBuffer(benchmark::State& state, bool multi_line) {
  const std::string text = event_text(multi_line);
  std::size_t n = 0;
  bench::AllocWindow allocs;
  for (auto _ : state) {
    SharedBuffer record = sse_encode_event_buffer(kEventId, text);
    n = record.size();
    benchmark::DoNotOptimize(record.data());
  }
  allocs.stop();
  report_events(state, static_cast<double>(state.iterations()), n, allocs);
  state.counters["record_bytes"] = static_cast<double>(n);
}
BENCHMARK_CAPTURE(BM_SseEncodeSharedBuffer, single_line, false);
BENCHMARK_CAPTURE(BM_SseEncodeSharedBuffer, multi_line, true);

class CountingSseEvents final : public SseParserEvents {
 public:
  void on_sse_event(const SseEvent& ev) override {
    ++events;
    data_bytes += ev.data.size();
  }
  std::uint64_t events = 0;
  std::uint64_t data_bytes = 0;
};

// A stream of 1000 records (ids ascending, as the server sends them) fed in chunks of range(0) bytes: 1448 is
// one TCP segment on loopback-with-MTU-1500 paths, 65536 one libuv read of a busy connection.
void BM_SseParseStream(benchmark::State& state, bool multi_line) {
  constexpr int kStreamEvents = 1000;
  const auto chunk = static_cast<std::size_t>(state.range(0));
  const std::string text = event_text(multi_line);
  std::string stream;
  for (int i = 1; i <= kStreamEvents; ++i) sse_append_event(stream, 1'000'000 + i, text);

  CountingSseEvents events;
  SseParser parser(events);
  const auto feed_stream = [&] {
    for (std::size_t off = 0; off < stream.size(); off += chunk) {
      parser.feed(std::string_view(stream).substr(off, std::min(chunk, stream.size() - off)));
    }
  };
  // One pass first, so the parser's line and data buffers have grown to size: the loop is the steady state.
  feed_stream();
  events.events = 0;
  bench::AllocWindow allocs;
  for (auto _ : state) feed_stream();
  allocs.stop();
  const double parsed = static_cast<double>(kStreamEvents) * static_cast<double>(state.iterations());
  if (parser.failed() || static_cast<double>(events.events) != parsed) {
    state.SkipWithError("parser did not deliver every event");
  }
  report_events(state, parsed, stream.size(), allocs);
  state.counters["time_per_event"] =
      benchmark::Counter(parsed, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK_CAPTURE(BM_SseParseStream, single_line, false)->ArgName("chunk")->Arg(1448)->Arg(64 * 1024);
BENCHMARK_CAPTURE(BM_SseParseStream, multi_line, true)->ArgName("chunk")->Arg(1448)->Arg(64 * 1024);

}  // namespace
}  // namespace rtb
