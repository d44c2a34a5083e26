// Measures ws_apply_mask (unmasking every byte a WebSocket client sends) at 1 KiB, 64 KiB and 1 MiB in GB/s,
// next to memcpy of the same size as the memory-bandwidth yardstick it is judged against.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "bench/alloc_counter.hpp"
#include "transports/websocket/ws_masking.hpp"

namespace rtb {
namespace {

constexpr std::uint8_t kMaskKey[4] = {0x37, 0xfa, 0x21, 0x3d};

void mask_sizes(benchmark::internal::Benchmark* b) {
  for (int size : {1024, 64 * 1024, 1024 * 1024}) b->Arg(size);
}

void report_throughput(benchmark::State& state, std::size_t bytes_per_iteration,
                       const bench::AllocWindow& allocs) {
  const auto bytes = static_cast<double>(state.iterations()) * static_cast<double>(bytes_per_iteration);
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  // Decimal units (GB/s), unlike bytes_per_second, which the console prints in binary GiB/s.
  state.counters["throughput"] =
      benchmark::Counter(bytes, benchmark::Counter::kIsRate, benchmark::Counter::OneK::kIs1000);
  allocs.report(state, "allocs_per_call", static_cast<double>(state.iterations()));
}

// `misaligned`: the payload starts 1 byte past an 8-byte boundary and 1 byte into the key, as a payload does
// that follows a 6-byte masked header at an arbitrary offset of a read.
void BM_WsApplyMask(benchmark::State& state, bool misaligned) {
  const auto size = static_cast<std::size_t>(state.range(0));
  std::vector<char> buffer(size + 16, 'a');
  char* data = buffer.data() + (misaligned ? 1 : 0);
  const std::size_t key_offset = misaligned ? 1 : 0;
  bench::AllocWindow allocs;
  for (auto _ : state) {
    ws_apply_mask(data, size, kMaskKey, key_offset);
    benchmark::ClobberMemory();
  }
  allocs.stop();
  report_throughput(state, size, allocs);
}
BENCHMARK_CAPTURE(BM_WsApplyMask, aligned, false)->Apply(mask_sizes);
BENCHMARK_CAPTURE(BM_WsApplyMask, misaligned, true)->Apply(mask_sizes);

// Reads and writes as many bytes as masking does (from one buffer into another): the ceiling for any loop
// that touches every byte once.
void BM_MemcpyReference(benchmark::State& state) {
  const auto size = static_cast<std::size_t>(state.range(0));
  std::vector<char> from(size, 'a');
  std::vector<char> to(size);
  bench::AllocWindow allocs;
  for (auto _ : state) {
    std::memcpy(to.data(), from.data(), size);
    benchmark::ClobberMemory();
  }
  allocs.stop();
  report_throughput(state, size, allocs);
}
BENCHMARK(BM_MemcpyReference)->Apply(mask_sizes);

}  // namespace
}  // namespace rtb
