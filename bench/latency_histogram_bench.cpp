// Measures LatencyHistogram: record() of nanosecond latencies (once per received event in the load generator)
// and value_at_percentile() on a histogram of a million values (once per reported percentile).
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "bench/alloc_counter.hpp"
#include "harness/metrics/latency_histogram.hpp"

namespace rtb {
namespace {

// Log-normal around 200 us with a long tail into tens of milliseconds: values spread over many buckets, as
// real latencies do, so record() is not measured on one hot slot. Fixed seed: every run records the same.
std::vector<std::uint64_t> latency_samples(std::size_t n) {
  std::mt19937_64 rng(42);
  std::lognormal_distribution<double> dist(std::log(200'000.0), 1.0);
  std::vector<std::uint64_t> out(n);
  for (auto& v : out) v = static_cast<std::uint64_t>(dist(rng));
  return out;
}

void BM_HistogramRecord(benchmark::State& state) {
  const std::vector<std::uint64_t> samples = latency_samples(4096);
  LatencyHistogram histogram;
  std::size_t i = 0;
  bench::AllocWindow allocs;
  for (auto _ : state) {
    histogram.record(samples[i++ & (samples.size() - 1)]);
  }
  allocs.stop();
  benchmark::DoNotOptimize(histogram.count());
  const auto n = static_cast<double>(state.iterations());
  state.SetItemsProcessed(state.iterations());
  state.counters["records"] = benchmark::Counter(n, benchmark::Counter::kIsRate);
  allocs.report(state, "allocs_per_record", n);
}
BENCHMARK(BM_HistogramRecord);

// range(0) is the percentile times 100 (5000 = p50, 9999 = p99.99): the query walks the slots up to the
// answer, so a higher percentile costs more.
void BM_HistogramValueAtPercentile(benchmark::State& state) {
  const double percentile = static_cast<double>(state.range(0)) / 100.0;
  const std::vector<std::uint64_t> samples = latency_samples(1'000'000);
  LatencyHistogram histogram;
  for (std::uint64_t v : samples) histogram.record(v);
  std::uint64_t value = 0;
  bench::AllocWindow allocs;
  for (auto _ : state) {
    benchmark::DoNotOptimize(percentile);
    value = histogram.value_at_percentile(percentile);
    benchmark::DoNotOptimize(value);
  }
  allocs.stop();
  const auto n = static_cast<double>(state.iterations());
  state.SetItemsProcessed(state.iterations());
  state.counters["queries"] = benchmark::Counter(n, benchmark::Counter::kIsRate);
  state.counters["value_ns"] = static_cast<double>(value);
  state.counters["slots"] = static_cast<double>(histogram.slot_count());
  allocs.report(state, "allocs_per_query", n);
}
BENCHMARK(BM_HistogramValueAtPercentile)->ArgName("p_x100")->Arg(5000)->Arg(9900)->Arg(9990)->Arg(9999);

}  // namespace
}  // namespace rtb
