// /sse over loopback: the exact stream head and preface, replay then live, resume after a forced disconnect,
// gaps, multi-line data, backpressure during replay, slow consumers, heartbeats, curl as a third-party
// client.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <memory>
#include <string>

#include "tests/server/push_test_util.hpp"
#include "transports/server/worker.hpp"
#include "transports/sse/sse_transport.hpp"

extern char** environ;

namespace rtb::test {
namespace {

constexpr std::string_view kStreams = "transports.sse.sessions_open";

std::string preface(std::uint64_t retry_ms = 3000) {
  return "retry: " + std::to_string(retry_ms) + "\n\n";
}

std::string position(std::uint64_t id) {
  return "id: " + std::to_string(id) + "\n\n";
}

// Reads until the stream body is exactly `expected` (false on timeout, or when it holds anything else).
::testing::AssertionResult body_becomes(BlockingClient& client, const std::string& expected) {
  client.read_until(expected);
  if (client.buffer() == expected) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "stream body is\n[" << client.buffer() << "]\nexpected\n[" << expected << "]";
}

TEST(SseServer, HeadRetryAndLiveEdgeAreExact) {
  ServerConfig config = TestServer::default_config();
  config.transports.get<SseConfig>().retry_ms = 1234;
  TestServer server(config);
  ASSERT_EQ(publish(server.port(), "head", "old"), 1u);
  BlockingClient client(server.port());
  auto head = open_stream(client, "/sse?channel=head");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->head.substr(0, head->head.find("\r\n")), "HTTP/1.1 200 OK");
  EXPECT_EQ(head->header("content-type"), "text/event-stream");
  EXPECT_EQ(head->header("cache-control"), "no-store");
  EXPECT_EQ(head->header("x-accel-buffering"), "no");
  EXPECT_FALSE(head->header("date").empty());
  EXPECT_EQ(head->headers.count("content-length"), 0u);
  EXPECT_EQ(head->headers.count("transfer-encoding"), 0u);
  EXPECT_EQ(head->headers.count("connection"), 0u);
  EXPECT_EQ(head->headers.size(), 4u);  // date, content-type, cache-control, x-accel-buffering
  // No since: no replay, and an id-only record names the live edge for a later Last-Event-ID.
  EXPECT_TRUE(body_becomes(client, preface(1234) + position(1)));
  ASSERT_TRUE(wait_for_stat(server.port(), std::string(kStreams), 1));
  ASSERT_EQ(publish(server.port(), "head", "new"), 2u);
  EXPECT_TRUE(body_becomes(client, preface(1234) + position(1) + record(2, "new")));
}

TEST(SseServer, ReplaysHistoryThenStreamsLiveEvents) {
  TestServer server;
  ASSERT_EQ(publish(server.port(), "rl", "a"), 1u);
  ASSERT_EQ(publish(server.port(), "rl", "b"), 2u);
  BlockingClient client(server.port());
  ASSERT_TRUE(open_stream(client, "/sse?channel=rl&since=0"));
  std::string expected = preface() + record(1, "a") + record(2, "b");
  EXPECT_TRUE(body_becomes(client, expected));
  ASSERT_EQ(publish(server.port(), "rl", "c"), 3u);
  expected += record(3, "c");
  EXPECT_TRUE(body_becomes(client, expected));
  server.run_on_loop([&] {
    server.server().hub().publish("rl", "d");
    server.server().hub().publish("rl", "e");
  });
  expected += record(4, "d") + record(5, "e");
  EXPECT_TRUE(body_becomes(client, expected));
  EXPECT_EQ(stat_value(server.port(), "transports.sse.events_sent"), 5u);
}

TEST(SseServer, ResumesWithLastEventIdAfterAForcedDisconnect) {
  TestServer server;
  ASSERT_EQ(publish(server.port(), "resume", "1"), 1u);
  BlockingClient first(server.port());
  ASSERT_TRUE(open_stream(first, "/sse?channel=resume&since=0"));
  ASSERT_TRUE(wait_for_stat(server.port(), std::string(kStreams), 1));
  ASSERT_EQ(publish(server.port(), "resume", "2"), 2u);
  EXPECT_TRUE(body_becomes(first, preface() + record(1, "1") + record(2, "2")));
  server.run_on_loop([&] { server.server().force_close_all(); });
  EXPECT_TRUE(first.wait_closed());
  ASSERT_TRUE(wait_for_stat(server.port(), std::string(kStreams), 0));
  ASSERT_EQ(publish(server.port(), "resume", "3"), 3u);
  ASSERT_EQ(publish(server.port(), "resume", "4"), 4u);
  BlockingClient second(server.port());
  auto head = open_stream(second, "/sse?channel=resume", "Last-Event-ID: 2\r\n");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  std::string expected = preface() + record(3, "3") + record(4, "4");
  EXPECT_TRUE(body_becomes(second, expected));
  ASSERT_TRUE(wait_for_stat(server.port(), std::string(kStreams), 1));
  ASSERT_EQ(publish(server.port(), "resume", "5"), 5u);
  EXPECT_TRUE(body_becomes(second, expected + record(5, "5")));
}

TEST(SseServer, SinceInTheQueryWinsOverLastEventId) {
  TestServer server;
  for (int i = 1; i <= 3; ++i) ASSERT_EQ(publish(server.port(), "q", std::to_string(i)), std::uint64_t(i));
  BlockingClient client(server.port());
  ASSERT_TRUE(open_stream(client, "/sse?channel=q&since=2", "Last-Event-ID: 0\r\n"));
  EXPECT_TRUE(body_becomes(client, preface() + record(3, "3")));
}

TEST(SseServer, AnUnusableLastEventIdStartsAtTheLiveEdge) {
  TestServer server;
  ASSERT_EQ(publish(server.port(), "junk", "x"), 1u);
  BlockingClient client(server.port());
  ASSERT_TRUE(open_stream(client, "/sse?channel=junk", "Last-Event-ID: not-ours\r\n"));
  EXPECT_TRUE(body_becomes(client, preface() + position(1)));
}

TEST(SseServer, SinceOlderThanHistoryStartsWithAGapRecord) {
  ServerConfig config = TestServer::default_config();
  config.hub.history = 3;
  TestServer server(config);
  for (int i = 1; i <= 5; ++i)
    ASSERT_EQ(publish(server.port(), "gap", "e" + std::to_string(i)), std::uint64_t(i));
  BlockingClient client(server.port());
  ASSERT_TRUE(open_stream(client, "/sse?channel=gap", "Last-Event-ID: 0\r\n"));
  EXPECT_TRUE(body_becomes(
      client, preface() + "event: gap\ndata: 1-2\n\n" + record(3, "e3") + record(4, "e4") + record(5, "e5")));
}

TEST(SseServer, MultiLineTextIsOneDataLinePerLine) {
  TestServer server;
  ASSERT_EQ(publish(server.port(), "ml", "first\nsecond\r\nthird\rfourth"), 1u);
  BlockingClient client(server.port());
  ASSERT_TRUE(open_stream(client, "/sse?channel=ml&since=0"));
  EXPECT_TRUE(
      body_becomes(client, preface() + "id: 1\ndata: first\ndata: second\ndata: third\ndata: fourth\n\n"));
}

TEST(SseServer, InvalidParametersAre400) {
  TestServer server;
  for (std::string_view target : {"/sse?channel=bad%20name", "/sse?since=abc", "/sse?since=-1"}) {
    auto r = http_get(server.port(), target);
    ASSERT_TRUE(r) << target;
    EXPECT_EQ(r->status, 400) << target;
  }
  auto post = http_post(server.port(), "/sse", "x");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(stat_value(server.port(), std::string(kStreams)), 0u);
}

// A replay far larger than the connection's queue bound is paced by the socket, not buffered: the reader gets
// every event once, in order, including events published while the replay is under way, and is never dropped.
TEST(SseServer, ReplayFollowsBackpressureAndJoinsTheLiveStream) {
  ServerConfig config = TestServer::default_config();
  config.listen.connection_limits.max_queued_bytes = 64 * 1024;
  config.hub.history = 4096;
  TestServer server(config);
  const std::string text(1000, 'r');
  constexpr int kHistory = 2000;  // ~2 MB of records against a 64 KiB queue
  server.run_on_loop([&] {
    for (int i = 0; i < kHistory; ++i) server.server().hub().publish("big", text);
  });
  BlockingClient client(server.port());
  ASSERT_TRUE(open_stream(client, "/sse?channel=big&since=0"));
  ASSERT_TRUE(client.read_until(record(1, text)));  // the replay has started, and stalls on our socket
  server.run_on_loop([&] {
    for (int i = 0; i < 5; ++i) server.server().hub().publish("big", "live" + std::to_string(i));
  });
  std::string expected = preface();
  for (int i = 1; i <= kHistory; ++i) expected += record(i, text);
  for (int i = 0; i < 5; ++i) expected += record(kHistory + 1 + i, "live" + std::to_string(i));
  EXPECT_TRUE(body_becomes(client, expected));
  EXPECT_EQ(stat_value(server.port(), "transports.sse.dropped_slow"), 0u);
  EXPECT_EQ(stat_value(server.port(), std::string(kStreams)), 1u);
}

// A stream whose replay is paused by its reader while history moves on past the cursor: the client is told
// exactly which ids are gone (one gap record) and the stream goes on from the oldest retained event.
TEST(SseServer, ReplayThatFallsBehindHistoryReportsTheGapAndJumps) {
  ServerConfig config = TestServer::default_config();
  config.listen.connection_limits.max_queued_bytes = 256 * 1024;
  config.hub.history = 1000;
  TestServer server(config);
  // 8 MB of history: more than the kernel can hold for a small-window reader (tcp_wmem caps the send buffer
  // at 4 MB), so the replay must pause long before its end.
  const std::string text(8000, 'h');
  server.run_on_loop([&] {
    for (int i = 0; i < 1000; ++i) server.server().hub().publish("fall", text);
  });
  SmallWindowClient client(server.port(), 16 * 1024);
  ASSERT_TRUE(client.send("GET /sse?channel=fall&since=0 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  ASSERT_TRUE(client.read_until(record(1, text)));
  // Ids 1001-2000 (short: history is bounded by count): history now starts at 1001.
  server.run_on_loop([&] {
    for (int i = 1001; i <= 2000; ++i) server.server().hub().publish("fall", std::to_string(i));
  });
  ASSERT_TRUE(client.read_until(record(2000, "2000")));
  std::string_view body = client.buffer();
  std::size_t head_end = body.find("\r\n\r\n");
  ASSERT_NE(head_end, std::string_view::npos);
  body.remove_prefix(head_end + 4);
  ASSERT_EQ(body.substr(0, preface().size()), preface());
  body.remove_prefix(preface().size());
  std::uint64_t next = 1;
  while (body.substr(0, 4) == "id: " && next <= 1000) {
    std::string expected = record(next, text);
    ASSERT_EQ(body.substr(0, expected.size()), expected);
    body.remove_prefix(expected.size());
    ++next;
  }
  ASSERT_GT(next, 1u);
  ASSERT_LE(next, 1000u) << "the replay never paused";
  std::string gap = "event: gap\ndata: " + std::to_string(next) + "-1000\n\n";
  ASSERT_EQ(body.substr(0, gap.size()), gap);
  body.remove_prefix(gap.size());
  for (std::uint64_t id = 1001; id <= 2000; ++id) {
    std::string expected = record(id, std::to_string(id));
    ASSERT_EQ(body.substr(0, expected.size()), expected) << "id " << id;
    body.remove_prefix(expected.size());
  }
  EXPECT_TRUE(body.empty());
  EXPECT_EQ(stat_value(server.port(), "transports.sse.dropped_slow"), 0u);
}

TEST(SseServer, SlowConsumerIsClosedWhileAReaderGetsEveryEvent) {
  ServerConfig config = TestServer::default_config();
  config.listen.connection_limits.max_queued_bytes = 64 * 1024;
  TestServer server(config);
  SmallWindowClient stalled(server.port());  // never reads
  ASSERT_TRUE(stalled.send("GET /sse?channel=slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  BlockingClient reader(server.port());
  ASSERT_TRUE(open_stream(reader, "/sse?channel=slow"));
  ASSERT_TRUE(wait_for_stat(server.port(), std::string(kStreams), 2));
  ASSERT_TRUE(reader.read_until(position(0)));
  reader.buffer().clear();
  // Publish 16 KiB events until the stalled stream is dropped (kernel buffers absorb a few MB first), bounded
  // at 64 MB; the reader takes each event as it comes and must see all of them, in order.
  const std::string text(16 * 1024, 's');
  std::uint64_t id = 0;
  bool dropped = false;
  while (!dropped && id < 4096) {
    ++id;
    ASSERT_EQ(publish(server.port(), "slow", text), id);
    std::string expected = record(id, text);
    ASSERT_TRUE(reader.read_until(expected)) << "event " << id;
    ASSERT_EQ(reader.buffer(), expected) << "event " << id;
    reader.buffer().clear();
    if (id % 32 == 0) dropped = stat_value(server.port(), "transports.sse.dropped_slow") >= 1;
  }
  EXPECT_TRUE(dropped);
  EXPECT_GE(stat_value(server.port(), "dropped_slow_consumers"), 1u);
  EXPECT_TRUE(wait_for_stat(server.port(), std::string(kStreams), 1));
  ASSERT_EQ(publish(server.port(), "slow", "after"), id + 1);
  EXPECT_TRUE(body_becomes(reader, record(id + 1, "after")));
}

TEST(SseServer, HeartbeatCommentsFillSilence) {
  ServerConfig config = TestServer::default_config();
  config.transports.get<SseConfig>().heartbeat_ms = 200;
  TestServer server(config);
  BlockingClient client(server.port());
  ASSERT_TRUE(open_stream(client, "/sse?channel=hb"));
  EXPECT_TRUE(body_becomes(client, preface() + position(0) + ":\n\n"));
  EXPECT_TRUE(body_becomes(client, preface() + position(0) + ":\n\n:\n\n"));
}

TEST(SseServer, ShutdownEndsStreams) {
  auto server = std::make_unique<TestServer>();
  BlockingClient client(server->port());
  ASSERT_TRUE(open_stream(client, "/sse?channel=end"));
  ASSERT_TRUE(wait_for_stat(server->port(), std::string(kStreams), 1));
  server.reset();
  EXPECT_TRUE(client.wait_closed());
  EXPECT_EQ(client.buffer(), preface() + position(0));
}

// curl (a third-party client) with -N prints the body as it streams: the records verbatim.
TEST(SseServer, CurlReceivesTheRecordsVerbatim) {
  TestServer server;
  ASSERT_EQ(publish(server.port(), "curl", "one"), 1u);
  ASSERT_EQ(publish(server.port(), "curl", "two\nlines"), 2u);
  int out[2];
  ASSERT_EQ(::pipe(out), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  posix_spawn_file_actions_addclose(&actions, out[1]);
  std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/sse?channel=curl&since=0";
  const char* argv[] = {"curl", "-N", "-s", "--max-time", "3", url.c_str(), nullptr};
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, "curl", &actions, nullptr, const_cast<char* const*>(argv), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  ASSERT_EQ(rc, 0) << "cannot run curl";
  std::string expected = preface() + record(1, "one") + "id: 2\ndata: two\ndata: lines\n\n";
  std::string got;
  auto read_until = [&](const std::string& want) {
    while (got.size() < want.size()) {
      pollfd p{out[0], POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0) return;
      char buf[4096];
      ssize_t n = ::read(out[0], buf, sizeof(buf));
      if (n <= 0) return;
      got.append(buf, static_cast<std::size_t>(n));
    }
  };
  read_until(expected);
  EXPECT_EQ(got, expected);
  ASSERT_TRUE(wait_for_stat(server.port(), std::string(kStreams), 1));
  ASSERT_EQ(publish(server.port(), "curl", "three"), 3u);
  expected += record(3, "three");
  read_until(expected);
  EXPECT_EQ(got, expected);
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(out[0]);
  EXPECT_TRUE(wait_for_stat(server.port(), std::string(kStreams), 0));
}

}  // namespace
}  // namespace rtb::test
