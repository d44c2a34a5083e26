// Slow consumers under a flood: an SSE and a WebSocket subscriber stop reading while 1 GiB of events is
// published. The server's memory stays within its per-connection queue bound, the stalled pair is dropped the
// way the wire contract says (SSE: closed; WS: close 1008 or TCP closed) and counted, and a reading SSE and a
// reading WebSocket subscriber get every event, in order.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>

#include "tests/server/push_test_util.hpp"
#include "tests/server/server_test_util.hpp"
#include "tests/server/ws_test_client.hpp"
#include "transports/websocket/websocket_transport.hpp"
#include "transports/sse/sse_transport.hpp"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RTB_TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define RTB_TEST_ASAN 1
#endif
#ifdef RTB_TEST_ASAN
#include <sanitizer/allocator_interface.h>
#endif

namespace rtb::test {
namespace {

constexpr std::size_t kEventBytes = 64 * 1024;
constexpr std::size_t kQueueBound = 1 << 20;
constexpr std::size_t kHistory = 16;
constexpr std::uint64_t kReaderWindow = 8;

// RTB_SLOW_CONSUMER_BYTES lets the sanitizer preset publish less (1 GiB through ASan takes minutes).
std::uint64_t total_bytes() {
  const char* env = std::getenv("RTB_SLOW_CONSUMER_BYTES");
  return env != nullptr && *env != '\0' ? std::strtoull(env, nullptr, 10) : std::uint64_t{1} << 30;
}

// Memory the process holds. With ASan, freed memory sits in the quarantine (256 MiB by default) and RSS says
// nothing about our buffers, so the allocator's count of live heap bytes is used instead.
std::uint64_t memory_in_use() {
#ifdef RTB_TEST_ASAN
  return __sanitizer_get_current_allocated_bytes();
#else
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return 0;
  char line[256];
  std::uint64_t kib = 0;
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::sscanf(line, "VmRSS: %lu kB", &kib) == 1) break;
  }
  std::fclose(f);
  return kib * 1024;
#endif
}

// Event i: its id, a colon, then filler up to exactly kEventBytes, so a reader checks identity and size.
void fill_payload(std::string& s, std::uint64_t id) {
  s.assign(kEventBytes, 'x');
  const std::string prefix = std::to_string(id) + ":";
  std::memcpy(s.data(), prefix.data(), prefix.size());
}

// The first thing a reader saw wrong, if anything.
struct ReaderResult {
  std::atomic<std::uint64_t> received{0};
  std::atomic<bool> finished{false};  // the reader returned (all read, or error set first)
  std::string error;
};

void read_sse(BlockingClient& c, std::uint64_t events, ReaderResult& out) {
  struct Finish {
    ReaderResult& r;
    ~Finish() { r.finished = true; }
  } finish{out};
  std::string& buf = c.buffer();
  std::string payload;
  std::size_t pos = 0;
  while (out.received < events) {
    const std::size_t end = buf.find("\n\n", pos);
    if (end == std::string::npos) {
      if (pos > 0) {
        buf.erase(0, pos);
        pos = 0;
      }
      const std::size_t before = buf.size();
      // read_until appends what it reads; a needle that never appears in a record makes it return per read.
      if (!c.read_until("\n\n", std::chrono::seconds(20)) && buf.size() == before) {
        out.error = "SSE reader: stream ended or stalled";
        return;
      }
      continue;
    }
    std::string_view block(buf.data() + pos, end + 2 - pos);
    pos = end + 2;
    if (block.find("\ndata: ") == std::string_view::npos && block.rfind("data: ", 0) != 0) continue;
    fill_payload(payload, out.received + 1);
    if (block != record(out.received + 1, payload)) {
      out.error = "SSE reader: record " + std::to_string(out.received + 1) +
                  " wrong: " + std::string(block.substr(0, 40));
      return;
    }
    ++out.received;
  }
}

void read_ws(WsTestClient& c, std::uint64_t events, ReaderResult& out) {
  struct Finish {
    ReaderResult& r;
    ~Finish() { r.finished = true; }
  } finish{out};
  std::string payload;
  while (out.received < events) {
    auto f = c.read_frame(std::chrono::seconds(20));
    if (!f) {
      out.error = "WS reader: connection ended or stalled";
      return;
    }
    fill_payload(payload, out.received + 1);
    if (f->b0 != (ws_b0::kFin | ws_b0::kText) ||
        f->payload != std::to_string(out.received + 1) + " " + payload) {
      out.error =
          "WS reader: frame " + std::to_string(out.received + 1) + " wrong: " + f->payload.substr(0, 40);
      return;
    }
    ++out.received;
  }
}

// What a stalled SSE subscriber got before the server closed it: whole records 1..k in order, and at most
// one cut-off record at the end (the close comes at a write boundary, the kernel may hold part of a record).
::testing::AssertionResult sse_prefix_in_order(std::string_view body) {
  std::uint64_t next = 1;
  std::string payload;
  while (true) {
    const std::size_t end = body.find("\n\n");
    if (end == std::string_view::npos) break;
    const std::string_view block = body.substr(0, end + 2);
    body.remove_prefix(end + 2);
    if (block.find("data: ") == std::string_view::npos) continue;
    fill_payload(payload, next);
    if (block != record(next, payload)) return ::testing::AssertionFailure() << "stalled SSE record " << next;
    ++next;
  }
  return ::testing::AssertionSuccess() << (next - 1) << " records";
}

// The same for a stalled WebSocket: event frames 1..k in order, then optionally a close 1008, nothing else.
::testing::AssertionResult ws_prefix_in_order(std::string_view bytes) {
  const std::size_t head_end = bytes.find("\r\n\r\n");
  if (head_end == std::string_view::npos || bytes.substr(0, 12) != "HTTP/1.1 101")
    return ::testing::AssertionFailure() << "no 101";
  bytes.remove_prefix(head_end + 4);
  std::uint64_t next = 1;
  std::string payload;
  while (bytes.size() >= 2) {
    const auto b0 = static_cast<std::uint8_t>(bytes[0]);
    std::uint64_t len = static_cast<std::uint8_t>(bytes[1]) & 0x7F;
    std::size_t header = 2;
    if (len == 126 || len == 127) {
      header += len == 126 ? 2 : 8;
      if (bytes.size() < header) break;
      len = 0;
      for (std::size_t i = 2; i < header; ++i) len = (len << 8) | static_cast<std::uint8_t>(bytes[i]);
    }
    if (bytes.size() < header + len) break;  // cut off by the close
    const std::string_view frame_payload = bytes.substr(header, len);
    bytes.remove_prefix(header + len);
    if ((b0 & 0x0F) == ws_b0::kClose) {
      if (len < 2 || ((static_cast<std::uint8_t>(frame_payload[0]) << 8) |
                      static_cast<std::uint8_t>(frame_payload[1])) != 1008)
        return ::testing::AssertionFailure() << "stalled WS got a close other than 1008";
      if (!bytes.empty()) return ::testing::AssertionFailure() << "bytes after the close frame";
      return ::testing::AssertionSuccess() << (next - 1) << " frames, then 1008";
    }
    fill_payload(payload, next);
    if (b0 != (ws_b0::kFin | ws_b0::kText) || frame_payload != std::to_string(next) + " " + payload)
      return ::testing::AssertionFailure() << "stalled WS frame " << next;
    ++next;
  }
  return ::testing::AssertionSuccess() << (next - 1) << " frames, TCP closed";
}

TEST(SlowConsumer, StalledSseAndWsAreDroppedWithinTheQueueBoundWhileReadersGetAGibibyte) {
  ServerConfig config = TestServer::default_config();
  config.listen.connection_limits.max_queued_bytes = kQueueBound;
  config.hub.history = kHistory;
  config.transports.get<SseConfig>().heartbeat_ms = 0;
  config.transports.get<WsConfig>().ping_interval_ms = 0;
  config.transports.get<WsConfig>().close_timeout_ms = 200;
  TestServer server(config);
  const int port = server.port();
  const std::uint64_t events = total_bytes() / kEventBytes;
  ASSERT_GT(events, 64u);

  // The stalled pair: tiny receive windows, and nobody reads them until the end.
  StalledSocket stalled_sse(port), stalled_ws(port);
  ASSERT_TRUE(stalled_sse.send("GET /sse?channel=flood&since=0 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  ASSERT_TRUE(stalled_ws.send(WsTestClient::upgrade_request("/ws?channel=flood&since=0")));
  BlockingClient sse_reader(port);
  auto head = open_stream(sse_reader, "/sse?channel=flood&since=0");
  ASSERT_TRUE(head);
  ASSERT_EQ(head->status, 200);
  WsTestClient ws_reader(port, "/ws?channel=flood&since=0");
  ASSERT_TRUE(ws_reader.upgraded());
  ASSERT_TRUE(wait_for_stat(port, "transports.sse.sessions_open", 2));
  ASSERT_TRUE(wait_for_stat(port, "connections.ws", 2));

  ReaderResult sse_result, ws_result;
  std::thread sse_thread([&] { read_sse(sse_reader, events, sse_result); });
  std::thread ws_thread([&] { read_ws(ws_reader, events, ws_result); });

  // Everything that can hold event bytes in this process while the flood runs, above what it held before:
  // - each of the 4 subscriber connections' send queue, at most kQueueBound (the bound under test);
  // - the history: kHistory events, each kept as text plus its SSE and its WebSocket encoding (3 copies);
  // - 8 MiB for the rest: the request being parsed (one event), the publisher's request string, the
  //   readers' buffers (a read of 64 KiB plus one partial record each) and the allocator's free lists and
  //   per-thread arenas (5 threads), none of which grows with the number of events.
  const std::uint64_t baseline = memory_in_use();
  const std::uint64_t bound = baseline + 4 * kQueueBound + 3 * kHistory * kEventBytes + (8u << 20);
  std::uint64_t peak = baseline;

  BlockingClient publisher(port);
  std::string payload;
  for (std::uint64_t id = 1; id <= events; ++id) {
    fill_payload(payload, id);
    auto r = publisher.request("POST", "/publish?channel=flood", payload);
    ASSERT_TRUE(r) << "publish " << id;
    ASSERT_EQ(r->status, 200) << r->body;
    ASSERT_EQ(r->body, std::to_string(id));
    if (id % 16 == 0) peak = std::max(peak, memory_in_use());
    // The readers must never be the slow consumers: at most kReaderWindow events (512 KiB) are ahead of
    // either, half the queue bound even if all of it sat in the server's queue, however the threads are
    // scheduled. The stalled pair gets no such mercy.
    while (!sse_result.finished && !ws_result.finished &&
           id - std::min(sse_result.received.load(), ws_result.received.load()) > kReaderWindow)
      std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
  sse_thread.join();
  ws_thread.join();
  peak = std::max(peak, memory_in_use());

  EXPECT_EQ(sse_result.error, "");
  EXPECT_EQ(sse_result.received.load(), events);
  EXPECT_EQ(ws_result.error, "");
  EXPECT_EQ(ws_result.received.load(), events);
  EXPECT_LE(peak, bound) << "baseline " << baseline << ", peak " << peak << " after " << events
                         << " events of " << kEventBytes << " bytes";

  // Dropped, each once, and counted.
  EXPECT_TRUE(wait_for_stat(port, "transports.sse.dropped_slow", 1));
  EXPECT_TRUE(wait_for_stat(port, "transports.ws.dropped_slow", 1));
  EXPECT_EQ(stat_value(port, "dropped_slow_consumers"), 2u);
  EXPECT_TRUE(wait_for_stat(port, "transports.sse.sessions_open", 1));
  EXPECT_TRUE(wait_for_stat(port, "connections.ws", 1));
  // What the stalled pair got before the drop is a clean prefix of the stream, then the connection ends.
  // A needle that never appears reads to the end (the server closed) or until 5 s pass without a byte.
  stalled_sse.read_until("\x01never\x01");
  stalled_ws.read_until("\x01never\x01");
  const std::string& sse_bytes = stalled_sse.buffer();
  const std::size_t body_start = sse_bytes.find("\r\n\r\n");
  ASSERT_NE(body_start, std::string::npos);
  EXPECT_EQ(sse_bytes.substr(0, 15), "HTTP/1.1 200 OK");
  EXPECT_TRUE(sse_prefix_in_order(std::string_view(sse_bytes).substr(body_start + 4)));
  EXPECT_TRUE(ws_prefix_in_order(stalled_ws.buffer()));
  // The readers are still subscribed and live.
  ASSERT_EQ(publish(port, "flood", "after the flood"), events + 1);
  ASSERT_TRUE(sse_reader.read_until(record(events + 1, "after the flood")));
  auto f = ws_reader.read_frame();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->payload, std::to_string(events + 1) + " after the flood");
}

}  // namespace
}  // namespace rtb::test
