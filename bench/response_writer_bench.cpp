// Measures building the /poll answers: ResponseWriter::build for a 204 and for a 200 carrying a 10-event
// batch, and the whole 200 path the way respond_with_batch() assembles it (records, headers, build).
#include <benchmark/benchmark.h>

#include <string>
#include <string_view>

#include "bench/alloc_counter.hpp"
#include "bench/bench_support.hpp"
#include "transports/common/batch_response.hpp"
#include "transports/common/sse_encoder.hpp"
#include "transports/http/response_writer.hpp"
#include "transports/pubsub/hub.hpp"

namespace rtb {
namespace {

// The same header respond_with_batch() adds (kept private there).
constexpr std::string_view kNoCache = "Cache-Control: no-cache\r\n";
constexpr int kBatchEvents = 10;

void report_responses(benchmark::State& state, std::size_t response_bytes, const bench::AllocWindow& allocs) {
  const auto n = static_cast<double>(state.iterations());
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(response_bytes));
  state.counters["responses"] = benchmark::Counter(n, benchmark::Counter::kIsRate);
  state.counters["response_bytes"] = static_cast<double>(response_bytes);
  allocs.report(state, "allocs_per_response", n);
}

void BM_ResponseBuild204(benchmark::State& state) {
  ResponseSpec spec;
  spec.status = 204;
  spec.extra_headers = kNoCache;
  std::size_t size = 0;
  bench::AllocWindow allocs;
  for (auto _ : state) {
    SharedBuffer out = ResponseWriter::build(spec);
    size = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  allocs.stop();
  report_responses(state, size, allocs);
}
BENCHMARK(BM_ResponseBuild204);

void BM_ResponseBuild200Batch(benchmark::State& state) {
  std::string body;
  for (int i = 1; i <= kBatchEvents; ++i) sse_append_event(body, 1000 + i, bench::event_payload(i));
  ResponseSpec spec;
  spec.status = 200;
  spec.content_type = kPollContentType;
  spec.extra_headers = kNoCache;
  spec.body = body;
  std::size_t size = 0;
  bench::AllocWindow allocs;
  for (auto _ : state) {
    SharedBuffer out = ResponseWriter::build(spec);
    size = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  allocs.stop();
  report_responses(state, size, allocs);
  state.counters["events"] = kBatchEvents;
}
BENCHMARK(BM_ResponseBuild200Batch);

// respond_with_batch() minus the socket: clear the reused scratch, copy the headers into a std::string,
// append every record from the channel history, build. Mirrors poll_batch.cpp so its per-answer allocations
// show.
void BM_PollBatch200AsRespondWithBatch(benchmark::State& state) {
  Hub hub;
  Channel channel(hub, "default", 4096);
  for (int i = 1; i <= 100; ++i) channel.deliver(static_cast<std::uint64_t>(i), bench::event_payload(i), 0);
  const HistorySlice slice = channel.since(channel.last_id() - kBatchEvents);
  std::string scratch;
  // Grown once, as the transport's reused scratch is after its first batch.
  for (std::uint64_t id = slice.first; id <= slice.last; ++id) {
    sse_append_event(scratch, id, channel.history().at(id).text());
  }
  std::size_t size = 0;
  bench::AllocWindow allocs;
  for (auto _ : state) {
    scratch.clear();
    std::string headers(kNoCache);
    for (std::uint64_t id = slice.first; id != 0 && id <= slice.last; ++id) {
      const Event& e = channel.history().at(id);
      sse_append_event(scratch, e.id, e.text());
    }
    ResponseSpec spec;
    spec.status = 200;
    spec.content_type = kPollContentType;
    spec.extra_headers = headers;
    spec.body = scratch;
    SharedBuffer out = ResponseWriter::build(spec);
    size = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  allocs.stop();
  report_responses(state, size, allocs);
  state.counters["events"] = static_cast<double>(slice.count());
}
BENCHMARK(BM_PollBatch200AsRespondWithBatch);

}  // namespace
}  // namespace rtb
