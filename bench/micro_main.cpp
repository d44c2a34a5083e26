// rtbench-micro's entry point and its allocation counter: every heap allocation the timed loop of a case
// makes is counted here and reported per operation, both by the cases themselves and by a MemoryManager.
//
// Two doors into the heap are replaced, because counting only operator new would miss the hot path:
// SharedBuffer (every encoded event, every response) allocates with std::malloc. So the global operator
// new/delete family and glibc's malloc/calloc/realloc/free/aligned allocations are defined in this file; each
// counts (only while an AllocWindow is open) and forwards to glibc's own __libc_* entry points, so there is
// still exactly one allocator in the process and memory freed through either door is valid in the other.
#include <execinfo.h>
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string_view>

#include "bench/alloc_counter.hpp"

extern "C" {
// glibc's real allocator, exported for exactly this purpose (malloc interposition).
void* __libc_malloc(std::size_t size);
void* __libc_calloc(std::size_t count, std::size_t size);
void* __libc_realloc(void* ptr, std::size_t size);
void* __libc_memalign(std::size_t alignment, std::size_t size);
void __libc_free(void* ptr);
}

namespace rtb::bench {
namespace {

struct ThreadCounts {
  AllocTotals totals;
  int window_depth = 0;
  bool in_trace = false;
};

// RTB_ALLOC_TRACE=<n>: print the call stack of the first n allocations made inside a timed loop, to find
// where a hot path allocates (pipe through c++filt; addresses resolve with addr2line -e rtbench-micro).
long g_trace_remaining = 0;
// RTB_ALLOC_COUNT=0: windows count nothing, to see what counting adds to the timings of allocating paths.
bool g_count_enabled = true;

// constinit: no TLS guard or lazy init, so it is safe to touch from inside malloc before main().
constinit thread_local ThreadCounts t_counts{};

inline bool counting() {
  return t_counts.window_depth > 0;
}

void trace_allocation(std::size_t requested) {
  // backtrace() may allocate on its first call; the flag keeps that from tracing itself.
  t_counts.in_trace = true;
  --g_trace_remaining;
  char line[64];
  const int len = snprintf(line, sizeof line, "--- allocation of %zu bytes in a timed loop:\n", requested);
  if (len > 0) (void)!write(2, line, static_cast<std::size_t>(len));
  void* frames[24];
  backtrace_symbols_fd(frames, backtrace(frames, 24), 2);
  t_counts.in_trace = false;
}

inline void note_alloc(void* p, std::size_t requested) {
  if (p == nullptr || !counting()) return;
  AllocTotals& t = t_counts.totals;
  ++t.allocs;
  t.bytes += requested;
  t.live_bytes += static_cast<std::int64_t>(malloc_usable_size(p));
  t.peak_bytes = std::max(t.peak_bytes, t.live_bytes);
  if (g_trace_remaining > 0 && !t_counts.in_trace) trace_allocation(requested);
}

inline void note_free(void* p) {
  if (p == nullptr || !counting()) return;
  t_counts.totals.live_bytes -= static_cast<std::int64_t>(malloc_usable_size(p));
}

void* counted_new(std::size_t size) {
  void* p = __libc_malloc(size == 0 ? 1 : size);
  if (p == nullptr) throw std::bad_alloc();
  note_alloc(p, size);
  return p;
}

void* counted_aligned_new(std::size_t size, std::align_val_t align) {
  void* p = __libc_memalign(static_cast<std::size_t>(align), size == 0 ? 1 : size);
  if (p == nullptr) throw std::bad_alloc();
  note_alloc(p, size);
  return p;
}

void counted_delete(void* p) noexcept {
  note_free(p);
  __libc_free(p);
}

}  // namespace

AllocTotals alloc_totals() {
  return t_counts.totals;
}

void reset_alloc_peak() {
  t_counts.totals.peak_bytes = t_counts.totals.live_bytes;
}

AllocWindow::AllocWindow() {
  start_ = alloc_totals();
  if (g_count_enabled) ++t_counts.window_depth;
}

AllocWindow::~AllocWindow() {
  stop();
}

void AllocWindow::stop() {
  if (!open_) return;
  open_ = false;
  if (g_count_enabled) --t_counts.window_depth;
  end_ = alloc_totals();
}

std::uint64_t AllocWindow::allocs() const {
  return (open_ ? alloc_totals() : end_).allocs - start_.allocs;
}

std::uint64_t AllocWindow::bytes() const {
  return (open_ ? alloc_totals() : end_).bytes - start_.bytes;
}

void AllocWindow::report(benchmark::State& state, const std::string& name, double units) const {
  state.counters[name] = units > 0 ? static_cast<double>(allocs()) / units : 0.0;
}

namespace {

// What Google Benchmark adds to the JSON (allocs_per_iter, max_bytes_used, total_allocated_bytes,
// net_heap_growth) from one extra run of min(16, iterations) iterations after the timed one. Because only the
// AllocWindow counts, those figures cover the loop alone, like the cases' own allocs_per_* counters (which
// cover the whole timed run and, unlike these, survive --benchmark_report_aggregates_only).
class CountingMemoryManager final : public benchmark::MemoryManager {
 public:
  void Start() override {
    reset_alloc_peak();
    start_ = alloc_totals();
  }

  BENCHMARK_DISABLE_DEPRECATED_WARNING
  void Stop(Result* result) override { Stop(*result); }
  BENCHMARK_RESTORE_DEPRECATED_WARNING

  void Stop(Result& result) override {
    const AllocTotals end = alloc_totals();
    result.num_allocs = static_cast<std::int64_t>(end.allocs - start_.allocs);
    result.max_bytes_used = std::max<std::int64_t>(0, end.peak_bytes - start_.live_bytes);
    result.total_allocated_bytes = static_cast<std::int64_t>(end.bytes - start_.bytes);
    result.net_heap_growth = end.live_bytes - start_.live_bytes;
  }

 private:
  AllocTotals start_;
};

}  // namespace
}  // namespace rtb::bench

// --- the replaced allocation functions --------------------------------------------------------------------

extern "C" {

void* malloc(std::size_t size) noexcept {
  void* p = __libc_malloc(size);
  rtb::bench::note_alloc(p, size);
  return p;
}

void* calloc(std::size_t count, std::size_t size) noexcept {
  void* p = __libc_calloc(count, size);
  rtb::bench::note_alloc(p, count * size);
  return p;
}

void* realloc(void* ptr, std::size_t size) noexcept {
  // The old block's size must be read before realloc may free it.
  rtb::bench::note_free(ptr);
  void* p = __libc_realloc(ptr, size);
  if (p == nullptr && size != 0 && ptr != nullptr) {
    // Failed: the old block is still there, so take back the free we noted (it is no new allocation).
    if (rtb::bench::counting()) {
      rtb::bench::t_counts.totals.live_bytes += static_cast<std::int64_t>(malloc_usable_size(ptr));
    }
    return p;
  }
  rtb::bench::note_alloc(p, size);
  return p;
}

void free(void* ptr) noexcept {
  rtb::bench::counted_delete(ptr);
}

void* aligned_alloc(std::size_t alignment, std::size_t size) noexcept {
  void* p = __libc_memalign(alignment, size);
  rtb::bench::note_alloc(p, size);
  return p;
}

int posix_memalign(void** out, std::size_t alignment, std::size_t size) noexcept {
  if (alignment < sizeof(void*) || (alignment & (alignment - 1)) != 0) return EINVAL;
  void* p = __libc_memalign(alignment, size);
  if (p == nullptr) return ENOMEM;
  rtb::bench::note_alloc(p, size);
  *out = p;
  return 0;
}

}  // extern "C"

void* operator new(std::size_t size) {
  return rtb::bench::counted_new(size);
}
void* operator new[](std::size_t size) {
  return rtb::bench::counted_new(size);
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return rtb::bench::counted_new(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return rtb::bench::counted_new(size);
  } catch (...) {
    return nullptr;
  }
}
void* operator new(std::size_t size, std::align_val_t align) {
  return rtb::bench::counted_aligned_new(size, align);
}
void* operator new[](std::size_t size, std::align_val_t align) {
  return rtb::bench::counted_aligned_new(size, align);
}

void operator delete(void* p) noexcept {
  rtb::bench::counted_delete(p);
}
void operator delete[](void* p) noexcept {
  rtb::bench::counted_delete(p);
}
void operator delete(void* p, std::size_t) noexcept {
  rtb::bench::counted_delete(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  rtb::bench::counted_delete(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  rtb::bench::counted_delete(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  rtb::bench::counted_delete(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
  rtb::bench::counted_delete(p);
}
void operator delete[](void* p, std::align_val_t) noexcept {
  rtb::bench::counted_delete(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  rtb::bench::counted_delete(p);
}
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  rtb::bench::counted_delete(p);
}

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg != "--help" && arg != "-h") continue;
    std::fputs(
        "rtbench-micro: micro-benchmarks (Google Benchmark) of rtbench's hot paths, each with its time per\n"
        "operation and its heap allocations per operation (operator new + malloc family, timed loop only):\n"
        "  HTTP request parsing, response writing (204, poll batches), SSE encoding and parsing, WebSocket "
        "frame\n"
        "  encoding and masking, UTF-8 validation, the hub's publish and fan-out, the latency histogram.\n"
        "scripts/bench-micro.sh builds it, pins it to one core and writes JSON + a table + metadata.\n"
        "Environment: RTB_ALLOC_COUNT=0 turns allocation counting off; RTB_ALLOC_TRACE=N prints where the "
        "first\n"
        "N timed-loop allocations happen. Examples:\n"
        "  rtbench-micro --benchmark_filter='Hub|Utf8'      run the benchmarks whose name matches\n"
        "  rtbench-micro --benchmark_list_tests             list them\n"
        "Exit status: 0 ran; 1 an unknown argument.\n"
        "\nGoogle Benchmark's options:\n",
        stdout);
    std::fflush(stdout);
    break;
  }
  // First, so every --benchmark_* flag is consumed before anything else could look at argv.
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  if (const char* count = std::getenv("RTB_ALLOC_COUNT")) {
    rtb::bench::g_count_enabled = std::string_view(count) != "0";
  }
  if (const char* trace = std::getenv("RTB_ALLOC_TRACE")) {
    rtb::bench::g_trace_remaining = std::strtol(trace, nullptr, 10);
    void* warm[1];
    backtrace(warm, 1);  // loads libgcc's unwinder now, not inside the first traced malloc
  }

  static rtb::bench::CountingMemoryManager memory_manager;
  benchmark::RegisterMemoryManager(&memory_manager);
  benchmark::AddCustomContext("rtb_alloc_counting",
                              "operator new + malloc family, timed loop only (AllocWindow); "
                              "MemoryManager run = min(16, iterations) iterations");
  benchmark::AddCustomContext("rtb_libbenchmark",
                              "Debian libbenchmark 1.7.1, a debug build of the library (it warns at start); "
                              "the measured code is ours, built RelWithDebInfo");
  benchmark::RunSpecifiedBenchmarks();
  benchmark::RegisterMemoryManager(nullptr);
  benchmark::Shutdown();
  return 0;
}
