// Heap allocation counting for the micro-benchmarks: how many allocations (operator new and the malloc
// family) the timed loop of a case makes, so "zero allocations per event" is checked by a number, not by
// reading code.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

namespace rtb::bench {

// Counts of the calling thread since the process started, taken only while counting is on (see AllocWindow).
// Thread-local because every case here runs single-threaded: no atomic adds inside malloc to skew timings.
struct AllocTotals {
  std::uint64_t allocs = 0;     // operator new, malloc, calloc, realloc, aligned allocations
  std::uint64_t bytes = 0;      // bytes requested by those calls
  std::int64_t live_bytes = 0;  // usable bytes allocated minus usable bytes freed while counting
  std::int64_t peak_bytes = 0;  // highest live_bytes since the last reset_alloc_peak()
};

AllocTotals alloc_totals();
void reset_alloc_peak();

// Counting is on only inside an AllocWindow, which a case opens right before its `for (auto _ : state)` loop
// and closes right after it. Setup (10,000 subscribers, a 1 MiB text) and teardown therefore never show up in
// the per-iteration figures, neither in the case's own counters nor in the MemoryManager's allocs_per_iter.
class AllocWindow {
 public:
  AllocWindow();
  ~AllocWindow();
  AllocWindow(const AllocWindow&) = delete;
  AllocWindow& operator=(const AllocWindow&) = delete;

  // Closes the window (idempotent); the counts below stay readable.
  void stop();
  std::uint64_t allocs() const;
  std::uint64_t bytes() const;

  // Adds `name` = allocations per `unit` (per request, per event, per delivery...) to the case's counters.
  void report(benchmark::State& state, const std::string& name, double units) const;

 private:
  AllocTotals start_;
  AllocTotals end_;
  bool open_ = true;
};

}  // namespace rtb::bench
