// Measures WebSocket framing for 16 B .. 64 KiB payloads: header encoding, a whole server frame per event,
// and WsReader decoding a buffer of frames fed in 64 KiB reads (client and server role).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "bench/alloc_counter.hpp"
#include "transports/net/loop.hpp"
#include "transports/websocket/ws_frame_encoder.hpp"
#include "transports/websocket/ws_reader.hpp"

namespace rtb {
namespace {

constexpr std::uint8_t kFrameMaskKey[4] = {0x37, 0xfa, 0x21, 0x3d};
// A legal key that makes XOR the identity: the server-role decode reads frames that are unmasked in place,
// and with this key the buffer is unchanged afterwards, so the same bytes can be fed again on every iteration
// while ws_apply_mask still does its full work (it has no shortcut for a zero key).
constexpr std::uint8_t kZeroMaskKey[4] = {0, 0, 0, 0};

void frame_sizes(benchmark::internal::Benchmark* b) {
  for (int size : {16, 125, 1024, 16 * 1024, 64 * 1024}) b->Arg(size);
}

std::string ascii_payload(std::size_t size) {
  std::string s(size, ' ');
  for (std::size_t i = 0; i < size; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}

void BM_WsFrameHeaderEncode(benchmark::State& state, bool masked) {
  // Read from the state so the compiler cannot fold the length branch away.
  const auto payload_len = static_cast<std::uint64_t>(state.range(0));
  std::uint8_t header[kWsMaxHeaderBytes];
  std::size_t n = 0;
  bench::AllocWindow allocs;
  for (auto _ : state) {
    benchmark::DoNotOptimize(payload_len);
    n = ws_encode_frame_header(header, WsOpcode::kText, true, payload_len, masked ? kFrameMaskKey : nullptr);
    benchmark::DoNotOptimize(header);
  }
  allocs.stop();
  const auto frames = static_cast<double>(state.iterations());
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(n));
  state.counters["headers"] = benchmark::Counter(frames, benchmark::Counter::kIsRate);
  state.counters["header_bytes"] = static_cast<double>(n);
  allocs.report(state, "allocs_per_frame", frames);
}
BENCHMARK_CAPTURE(BM_WsFrameHeaderEncode, server, false)->Apply(frame_sizes);
BENCHMARK_CAPTURE(BM_WsFrameHeaderEncode, client_masked, true)->Apply(frame_sizes);

// What the server does once per published event for its WebSocket subscribers: "<id> " + data as one text
// frame in one SharedBuffer (header, prefix and payload copied).
void BM_WsServerFrameEncode(benchmark::State& state) {
  const std::string payload = ascii_payload(static_cast<std::size_t>(state.range(0)));
  const std::string_view prefix = "1234567 ";
  std::size_t size = 0;
  bench::AllocWindow allocs;
  for (auto _ : state) {
    SharedBuffer frame = ws_encode_server_frame_parts(WsOpcode::kText, prefix, payload);
    size = frame.size();
    benchmark::DoNotOptimize(frame.data());
  }
  allocs.stop();
  const auto frames = static_cast<double>(state.iterations());
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(size));
  state.counters["frames"] = benchmark::Counter(frames, benchmark::Counter::kIsRate);
  allocs.report(state, "allocs_per_frame", frames);
}
BENCHMARK(BM_WsServerFrameEncode)->Apply(frame_sizes);

class CountingReaderEvents final : public WsReaderEvents {
 public:
  void on_ws_message(WsOpcode, std::string_view payload) override {
    ++messages;
    payload_bytes += payload.size();
  }
  void on_ws_ping(std::string_view) override {}
  void on_ws_pong(std::string_view) override {}
  void on_ws_close(std::uint16_t, std::string_view) override { ++errors; }
  void on_ws_error(std::uint16_t, std::string_view) override { ++errors; }

  std::uint64_t messages = 0;
  std::uint64_t payload_bytes = 0;
  std::uint64_t errors = 0;
};

// Text frames of one size, enough of them to make ~256 KiB of input (at least 4), decoded by a reader in
// `role` and fed in reads of Loop::kReadBufferSize as libuv hands them over: frames that straddle two reads
// take the reassembly path, as they do on a socket. Text, so every payload is UTF-8 validated too.
void BM_WsReaderDecode(benchmark::State& state, WsRole role) {
  const auto payload_size = static_cast<std::size_t>(state.range(0));
  const std::string payload = ascii_payload(payload_size);
  const std::size_t frames = std::max<std::size_t>(4, (256 * 1024) / payload_size);
  std::string wire;
  for (std::size_t i = 0; i < frames; ++i) {
    if (role == WsRole::kServer) {
      ws_append_client_frame(wire, WsOpcode::kText, payload, kZeroMaskKey);
    } else {
      wire.append(ws_encode_server_frame(WsOpcode::kText, payload).view());
    }
  }

  CountingReaderEvents events;
  WsReader reader(role, WsLimits{}, events);
  const auto feed_wire = [&] {
    for (std::size_t off = 0; off < wire.size(); off += Loop::kReadBufferSize) {
      const std::size_t n = std::min(Loop::kReadBufferSize, wire.size() - off);
      if (!reader.feed(wire.data() + off, n)) break;
    }
  };
  // One pass first, so the reassembly buffer has whatever size it keeps: the loop is the steady state.
  feed_wire();
  events.messages = 0;
  bench::AllocWindow allocs;
  for (auto _ : state) feed_wire();
  allocs.stop();
  if (events.errors != 0 || events.messages != frames * static_cast<std::uint64_t>(state.iterations())) {
    state.SkipWithError("reader did not deliver every frame");
  }
  const auto n = static_cast<double>(frames) * static_cast<double>(state.iterations());
  state.SetItemsProcessed(static_cast<std::int64_t>(n));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(wire.size()));
  state.counters["frames"] = benchmark::Counter(n, benchmark::Counter::kIsRate);
  state.counters["time_per_frame"] =
      benchmark::Counter(n, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
  allocs.report(state, "allocs_per_frame", n);
}
// client: server frames (unmasked) as the load generator reads them; server: masked client frames.
BENCHMARK_CAPTURE(BM_WsReaderDecode, client, WsRole::kClient)->Apply(frame_sizes);
BENCHMARK_CAPTURE(BM_WsReaderDecode, server_masked, WsRole::kServer)->Apply(frame_sizes);

}  // namespace
}  // namespace rtb
