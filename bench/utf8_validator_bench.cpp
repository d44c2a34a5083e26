// Measures UTF-8 validation of WebSocket text (is_valid_utf8, as WsReader runs it on every text frame) in
// GB/s for pure ASCII, mostly-ASCII Latin text, and multibyte text (Cyrillic, CJK, emoji).
#include <benchmark/benchmark.h>

#include <string>
#include <string_view>

#include "bench/alloc_counter.hpp"
#include "transports/common/utf8_validator.hpp"

namespace rtb {
namespace {

// JSON as the load generator sends it: the ASCII fast path should carry it 8 bytes per step.
constexpr std::string_view kAsciiSample =
    "{\"t\":1732541234000000000,\"channel\":\"default\",\"seq\":12345,\"text\":\"the quick brown fox\"} ";
// Mostly ASCII with an accented letter every ~15 bytes: each one drops out of the 8-byte fast path.
constexpr std::string_view kLatinSample = "Grüße aus Köln, où l'été est déjà là; señor Núñez café. ";
// Almost no ASCII: every byte goes through the DFA.
constexpr std::string_view kMultibyteSample =
    "Съешь же ещё этих мягких французских булок. 我能吞下玻璃而不伤身体。😀🚀🎉 ";

// `sample` repeated to `size` bytes, cut back to a code point boundary so the text is valid.
std::string repeat_to(std::string_view sample, std::size_t size) {
  std::string s;
  while (s.size() < size) s.append(sample);
  s.resize(size);
  while (!s.empty() && !is_valid_utf8(s)) s.pop_back();
  return s;
}

void BM_Utf8Validate(benchmark::State& state, std::string_view sample) {
  const std::string text = repeat_to(sample, static_cast<std::size_t>(state.range(0)));
  std::size_t non_ascii = 0;
  for (char c : text) non_ascii += (static_cast<unsigned char>(c) & 0x80) != 0 ? 1 : 0;
  bool valid = true;
  bench::AllocWindow allocs;
  for (auto _ : state) {
    benchmark::DoNotOptimize(text.data());
    valid &= is_valid_utf8(text);
  }
  allocs.stop();
  if (!valid) state.SkipWithError("sample text rejected");
  const auto bytes = static_cast<double>(state.iterations()) * static_cast<double>(text.size());
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["throughput"] =
      benchmark::Counter(bytes, benchmark::Counter::kIsRate, benchmark::Counter::OneK::kIs1000);
  state.counters["non_ascii_share"] = static_cast<double>(non_ascii) / static_cast<double>(text.size());
  allocs.report(state, "allocs_per_call", static_cast<double>(state.iterations()));
}
BENCHMARK_CAPTURE(BM_Utf8Validate, ascii, kAsciiSample)->Arg(1024)->Arg(64 * 1024);
BENCHMARK_CAPTURE(BM_Utf8Validate, latin, kLatinSample)->Arg(1024)->Arg(64 * 1024);
BENCHMARK_CAPTURE(BM_Utf8Validate, multibyte, kMultibyteSample)->Arg(1024)->Arg(64 * 1024);

}  // namespace
}  // namespace rtb
