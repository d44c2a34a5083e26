#include "harness/scenario/load_run.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "harness/scenario/client_factory.hpp"
#include "harness/scenario/run_metadata.hpp"
#include "harness/scenario/transport_kind.hpp"
#include "tests/harness/scenario/quick_load_config.hpp"
#include "tests/support/blocking_client.hpp"
#include "tests/support/test_server.hpp"
#include "transports/common/client_request.hpp"

namespace rtb {
namespace {

using test::TestServer;

LoadConfig quick_config(int port, TransportKind kind, std::string channel) {
  return test::quick_load_config(fmt::format("http://127.0.0.1:{}", port), kind, std::move(channel));
}

// Every measured event reached every subscriber exactly once and in order, and the histogram holds one
// latency per delivery.
void expect_every_event_once(const LoadOutcome& o, std::uint64_t clients, std::uint64_t events) {
  ASSERT_TRUE(o.ok) << o.error;
  const LoadResult& r = o.result;
  EXPECT_EQ(r.connected, clients);
  EXPECT_EQ(r.publish_dropped, 0u);
  EXPECT_EQ(r.publish_errors, 0u);
  EXPECT_EQ(r.expected, events * clients);
  EXPECT_EQ(r.delivered, r.expected);
  EXPECT_EQ(r.lost, 0u);
  EXPECT_EQ(r.duplicated, 0u);
  EXPECT_EQ(r.reordered, 0u);
  EXPECT_EQ(r.latency.count(), r.delivered);
  EXPECT_EQ(r.errors_total, 0u) << (r.error_examples.empty() ? "" : r.error_examples[0].second);
  EXPECT_EQ(r.unstamped_events, 0u);
  EXPECT_GT(r.p50_us, 0);
  EXPECT_LE(r.p50_us, r.p99_us);
  EXPECT_LE(r.p99_us, r.max_us);
}

class LoadRunEndToEnd : public ::testing::TestWithParam<TransportKind> {};

TEST_P(LoadRunEndToEnd, EveryPublishedEventDeliveredOnceInOrder) {
  TestServer server;
  // 100 events/s for a 1 s measure phase: slots 21..120 of 10 ms each are measured.
  auto o = run_load(quick_config(server.port(), GetParam(), "e2e"));
  expect_every_event_once(o, 4, 100);
  if (o.ok) {
    EXPECT_GT(o.result.warmup_events, 0u);
    // The window opens after connecting and the 0.2 s warm-up, and closes (1 s later) before the run ends;
    // each time is truncated to the millisecond, hence the 1 ms of slack.
    const auto start = unix_seconds_of_iso8601_utc(o.result.start_time);
    const auto measure = unix_seconds_of_iso8601_utc(o.result.measure_start_time);
    const auto end = unix_seconds_of_iso8601_utc(o.result.end_time);
    ASSERT_TRUE(start && measure && end) << o.result.measure_start_time;
    EXPECT_GE(*measure, *start + 0.2 - 0.001);
    EXPECT_LE(*measure + 1.0, *end + 0.001);
  }
}

INSTANTIATE_TEST_SUITE_P(Transports, LoadRunEndToEnd, ::testing::ValuesIn(all_transports()),
                         [](const auto& info) { return std::string(transport_name(info.param)); });

TEST(LoadRun, ShortPollingWithAConnectionPerRequest) {
  TestServer server;
  LoadConfig c = quick_config(server.port(), *parse_transport("poll"), "per-request");
  c.connection_per_request = true;
  c.poll_interval_ms = 50;
  auto o = run_load(c);
  expect_every_event_once(o, 4, 100);
  // Each poll is its own request on its own connection: ~20 polls/s per client.
  if (o.ok) {
    EXPECT_GT(o.result.requests, 40u);
  }
}

TEST(LoadRun, PublishingOverAWebSocketReachesPollSubscribers) {
  TestServer server;
  LoadConfig c = quick_config(server.port(), *parse_transport("poll"), "ws-publish");
  c.publish_via = PublishVia::kWebSocket;
  auto o = run_load(c);
  expect_every_event_once(o, 4, 100);
  if (o.ok) {
    EXPECT_EQ(o.result.publish_via, "ws");
  }
}

TEST(LoadRun, WebSocketSubscribersPublishOverAWebSocketByDefault) {
  LoadConfig c;
  c.transport = *parse_transport("ws");
  EXPECT_EQ(c.effective_publish_via(), PublishVia::kWebSocket);
  c.publish_via = PublishVia::kHttp;
  EXPECT_EQ(c.effective_publish_via(), PublishVia::kHttp);
  c.transport = *parse_transport("sse");
  c.publish_via = PublishVia::kAuto;
  EXPECT_EQ(c.effective_publish_via(), PublishVia::kHttp);
}

TEST(LoadRun, ServerKeepsOldEventsThatTheRunDoesNotCount) {
  TestServer server;
  test::BlockingClient publisher(server.port());
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(publisher.request("POST", "/publish?channel=stale", "old event"));
  auto o = run_load(quick_config(server.port(), *parse_transport("poll"), "stale"));
  expect_every_event_once(o, 4, 100);
}

// The request bytes the wire counters report equal the header arithmetic exactly, for each profile.
TEST(LoadRunAccounting, PollRequestBytesAreRequestsTimesTheProfiledHead) {
  TestServer server;
  for (const char* profile_name : {"minimal", "browser", "600"}) {
    SCOPED_TRACE(profile_name);
    const std::string channel = std::string("acct-") + profile_name;
    // Ids 1..99 exist before the run, so the marker gets 100 and every `since` of the run has 3 digits: every
    // request of a client then has the same size.
    test::BlockingClient publisher(server.port());
    for (int i = 0; i < 99; ++i) ASSERT_TRUE(publisher.request("POST", "/publish?channel=" + channel, "x"));
    std::string error;
    const HeaderProfile profile = parse_header_profile(profile_name, &error).value();
    LoadConfig c = quick_config(server.port(), *parse_transport("poll"), channel);
    c.headers = profile;
    c.rate = 20;
    c.clients = 3;
    c.poll_interval_ms = 50;
    auto o = run_load(c);
    expect_every_event_once(o, 3, 20);
    ASSERT_TRUE(o.ok);
    const LoadResult& r = o.result;

    ClientOptions bare;
    bare.host_header = fmt::format("127.0.0.1:{}", server.port());
    const std::string target = "/poll?channel=" + channel + "&since=100";
    const std::size_t base = build_get_request(bare, target, false).size();
    const std::size_t head = base + header_profile_bytes(profile, base, false);
    EXPECT_EQ(r.request_head_bytes, head);
    if (profile.kind == HeaderProfileKind::kSized) {
      EXPECT_EQ(head, 600u);
    }
    if (profile.kind == HeaderProfileKind::kBrowser) {
      EXPECT_GE(head, 750u);
      EXPECT_LE(head, 850u);
    }
    EXPECT_GT(r.requests, 0u);
    // Short polling sends request heads only: all of bytes_up is header bytes.
    EXPECT_EQ(r.bytes_up, r.requests * head);
    EXPECT_NEAR(r.header_bytes_up_per_event * static_cast<double>(r.delivered),
                static_cast<double>(r.bytes_up), 1e-6 * static_cast<double>(r.bytes_up));
    EXPECT_DOUBLE_EQ(r.framing_bytes_up_per_event, 0.0);
    EXPECT_DOUBLE_EQ(r.payload_bytes_up_per_event, 0.0);
    // Down: 64-byte event texts. Bytes are counted over the measure window by arrival and events by their
    // slot, so the edges of the window shift a few events either way: close to 64, not exactly.
    EXPECT_NEAR(r.payload_bytes_down_per_event, 64.0, 64.0 * 0.2);
  }
}

// Watches the run's phase from its loop thread, for a helper thread to act on.
class PhaseWatcher final : public LoadObserver {
 public:
  void on_progress(const LoadProgress& p) override {
    if (p.phase == LoadPhase::kMeasure) measuring = true;
  }
  std::atomic<bool> measuring{false};
};

// Stalls the server's loop for `stall_ms` once the run is `delay_ms` into its measure phase.
std::thread stall_during_measure(PhaseWatcher& watcher, int port, int delay_ms, int stall_ms,
                                 std::atomic<int>& status) {
  return std::thread([&watcher, &status, port, delay_ms, stall_ms] {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!watcher.measuring && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    auto response = test::http_post(port, fmt::format("/debug/stall?ms={}", stall_ms), "");
    status = response ? response->status : -1;
  });
}

ServerConfig hooked_config() {
  ServerConfig config = TestServer::default_config();
  config.enable_test_hooks = true;
  return config;
}

// No coordinated omission: events scheduled while the server was stalled carry the stall in their latency,
// because each one is stamped with its scheduled send time, not with when it finally went out.
TEST(LoadRunStall, AStallShowsInTheLatencyOfEventsScheduledDuringIt) {
  TestServer server(hooked_config());
  LoadConfig c = quick_config(server.port(), *parse_transport("poll"), "stall");
  c.rate = 200;
  c.clients = 2;
  c.poll_interval_ms = 10;
  c.warmup_s = 0;
  c.duration_s = 1.5;
  PhaseWatcher watcher;
  std::atomic<int> status{0};
  std::thread staller = stall_during_measure(watcher, server.port(), 300, 300, status);
  auto o = run_load(c, &watcher, 0.02);
  staller.join();
  EXPECT_EQ(status.load(), 200);
  expect_every_event_once(o, 2, 300);
  ASSERT_TRUE(o.ok);
  EXPECT_GE(o.result.max_us, 250'000);
}

TEST(LoadRunStall, APublisherThatCannotKeepUpCountsDroppedSlots) {
  TestServer server(hooked_config());
  LoadConfig c = quick_config(server.port(), *parse_transport("poll"), "dropped");
  c.rate = 200;
  c.clients = 2;
  c.poll_interval_ms = 10;
  c.warmup_s = 0;
  c.duration_s = 1.5;
  c.max_in_flight = 5;  // a 300 ms stall holds ~60 slots
  PhaseWatcher watcher;
  std::atomic<int> status{0};
  std::thread staller = stall_during_measure(watcher, server.port(), 300, 300, status);
  auto o = run_load(c, &watcher, 0.02);
  staller.join();
  ASSERT_TRUE(o.ok) << o.error;
  const LoadResult& r = o.result;
  EXPECT_GT(r.publish_dropped, 0u);
  EXPECT_EQ(r.publish_scheduled, r.publish_sent + r.publish_dropped);
  EXPECT_FALSE(r.warnings.empty());
  // Dropped slots were never published, so nobody expected them: the rest arrived intact.
  EXPECT_EQ(r.delivered, r.expected);
  EXPECT_EQ(r.lost, 0u);
}

// Events rarer than the server's keep-alive timeout: the server closes the idle publishing connection between
// them, and the publisher opens a new one at once, so no slot finds it closed.
TEST(LoadRunPublisher, AKeepAliveConnectionTheServerClosedWhileIdleIsReopenedWithoutLoss) {
  ServerConfig config = TestServer::default_config();
  config.http.keep_alive_timeout_ms = 150;
  TestServer server(config);
  LoadConfig c = quick_config(server.port(), *parse_transport("sse"), "idle-publisher");
  c.rate = 2;  // a slot every 500 ms: each finds the connection of the one before closed by the server
  c.clients = 2;
  c.warmup_s = 0.3;
  c.duration_s = 2;
  auto o = run_load(c);
  expect_every_event_once(o, 2, 4);
  if (o.ok) {
    EXPECT_EQ(o.result.publish_scheduled, o.result.publish_sent);
  }
}

TEST(LoadRunStall, TheStallRouteExistsOnlyWithTestHooks) {
  TestServer server;
  auto response = test::http_post(server.port(), "/debug/stall?ms=1", "");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 404);
  TestServer hooked(hooked_config());
  response = test::http_post(hooked.port(), "/debug/stall?ms=5000", "");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
}

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

TEST(LoadRun, NoServerIsAClearError) {
  auto o = run_load(quick_config(free_port(), *parse_transport("poll"), "none"));
  EXPECT_FALSE(o.ok);
  EXPECT_NE(o.error.find("cannot publish to"), std::string::npos) << o.error;
}

TEST(LoadRun, BadUrlIsAClearError) {
  LoadConfig c;
  c.url = "localhost:8080";
  auto o = run_load(c);
  EXPECT_FALSE(o.ok);
  EXPECT_NE(o.error.find("--url"), std::string::npos) << o.error;
}

TEST(LoadRun, IdleRunWithoutEventsMeasuresRequests) {
  TestServer server;
  LoadConfig c = quick_config(server.port(), *parse_transport("poll"), "idle");
  c.rate = 0;
  c.poll_interval_ms = 50;
  auto o = run_load(c);
  ASSERT_TRUE(o.ok) << o.error;
  EXPECT_EQ(o.result.delivered, 0u);
  EXPECT_EQ(o.result.expected, 0u);
  EXPECT_GT(o.result.requests, 0u);
  // Every poll finds nothing. Requests count when sent and answers when they arrive, so at each edge of the
  // window a client may have one request whose answer falls on the other side.
  EXPECT_NEAR(static_cast<double>(o.result.empty_responses), static_cast<double>(o.result.requests),
              2.0 * c.clients);
  EXPECT_GT(o.result.requests_per_s, 0.0);
}

}  // namespace
}  // namespace rtb
