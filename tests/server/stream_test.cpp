// /stream over loopback: the exact head, one record per chunk, replay then live, resume by since after a
// forced disconnect, gaps, backpressure during replay, slow consumers, heartbeat chunks, the last chunk on
// graceful shutdown, the channel cap, HEAD and other methods, HTTP/1.0 peers, curl as a third-party client.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "tests/server/push_test_util.hpp"
#include "transports/server/worker.hpp"
#include "transports/stream/stream_transport.hpp"

extern char** environ;

// A namespace of its own: unity builds put several test files in one translation unit.
namespace rtb::test::stream_server {
namespace {

constexpr std::string_view kStreams = "transports.stream.sessions_open";
constexpr std::string_view kLastChunk = "0\r\n\r\n";

// One chunk as RFC 9112 7.1 writes it, framed here independently of the server's encoder.
std::string chunk(std::string_view payload) {
  char hex[24];
  std::snprintf(hex, sizeof hex, "%zx", payload.size());
  return std::string(hex) + "\r\n" + std::string(payload) + "\r\n";
}

std::string position(std::uint64_t id) {
  return "id: " + std::to_string(id) + "\n\n";
}

// Every fifth event has two lines, which its record carries as two data lines.
std::string text_of(int id) {
  return id % 5 == 0 ? "event " + std::to_string(id) + "\nline two" : "event " + std::to_string(id);
}

std::string record_of(int id) {
  std::string data = id % 5 == 0 ? "event " + std::to_string(id) + "\ndata: line two" : text_of(id);
  return "id: " + std::to_string(id) + "\ndata: " + data + "\n\n";
}

// The chunks of a chunked body as far as they are complete; `ended` when the last chunk closed it.
struct Dechunked {
  std::vector<std::string> chunks;
  bool ended = false;
  bool malformed = false;
};

Dechunked dechunk(std::string_view body) {
  Dechunked out;
  while (!body.empty()) {
    const std::size_t eol = body.find("\r\n");
    if (eol == std::string_view::npos) break;
    std::size_t size = 0;
    auto [end, ec] = std::from_chars(body.data(), body.data() + eol, size, 16);
    if (ec != std::errc() || end != body.data() + eol) {
      out.malformed = true;
      break;
    }
    if (size == 0) {
      out.ended = body.substr(eol) == "\r\n\r\n";
      out.malformed = !out.ended;
      break;
    }
    if (body.size() < eol + 2 + size + 2) break;  // cut inside this chunk
    if (body.substr(eol + 2 + size, 2) != "\r\n") {
      out.malformed = true;
      break;
    }
    out.chunks.emplace_back(body.substr(eol + 2, size));
    body.remove_prefix(eol + 2 + size + 2);
  }
  return out;
}

// Reads until the stream body is exactly `expected` (false on timeout, or when it holds anything else).
::testing::AssertionResult body_becomes(BlockingClient& client, const std::string& expected) {
  client.read_until(expected);
  if (client.buffer() == expected) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "stream body is\n[" << client.buffer() << "]\nexpected\n[" << expected << "]";
}

TEST(StreamServer, HeadIsExactAndAFreshStreamStartsAtTheLiveEdge) {
  TestServer server;
  ASSERT_EQ(publish(server.port(), "head", "old"), 1u);
  BlockingClient client(server.port());
  auto head = open_stream(client, "/stream?channel=head");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->head.substr(0, head->head.find("\r\n")), "HTTP/1.1 200 OK");
  EXPECT_EQ(head->header("content-type"), "text/event-stream; charset=utf-8");
  EXPECT_EQ(head->header("transfer-encoding"), "chunked");
  EXPECT_EQ(head->header("cache-control"), "no-store");
  EXPECT_EQ(head->header("x-accel-buffering"), "no");
  EXPECT_EQ(head->header("x-content-type-options"), "nosniff");
  EXPECT_EQ(head->header("connection"), "close");
  EXPECT_FALSE(head->header("date").empty());
  EXPECT_EQ(head->headers.count("content-length"), 0u);
  EXPECT_EQ(head->headers.size(), 7u);
  // No since: no replay, and an id-only record names the live edge to resume from.
  EXPECT_TRUE(body_becomes(client, chunk(position(1))));
  ASSERT_TRUE(wait_for_stat(server.port(), std::string(kStreams), 1));
  ASSERT_EQ(publish(server.port(), "head", "new"), 2u);
  EXPECT_TRUE(body_becomes(client, chunk(position(1)) + chunk(record(2, "new"))));
}

// Many events, replayed and live, published faster than one loop turn: each arrives once, in order, as one
// chunk holding exactly its record.
TEST(StreamServer, EveryEventIsOneChunkOnceAndInOrder) {
  TestServer server;
  constexpr int kReplayed = 500;
  constexpr int kLive = 1500;
  server.run_on_loop([&] {
    for (int i = 1; i <= kReplayed; ++i) server.server().hub().publish("many", text_of(i));
  });
  BlockingClient client(server.port());
  ASSERT_TRUE(open_stream(client, "/stream?channel=many&since=0"));
  std::string expected;
  for (int i = 1; i <= kReplayed; ++i) expected += chunk(record_of(i));
  ASSERT_TRUE(body_becomes(client, expected));
  server.run_on_loop([&] {
    for (int i = kReplayed + 1; i <= kReplayed + kLive; ++i)
      server.server().hub().publish("many", text_of(i));
  });
  Dechunked got;
  for (int reads = 0; reads < 1000; ++reads) {
    got = dechunk(client.buffer());
    if (got.chunks.size() >= static_cast<std::size_t>(kReplayed + kLive) || got.malformed) break;
    client.read_until("\x01never\x01", std::chrono::milliseconds(20));
  }
  ASSERT_FALSE(got.malformed);
  ASSERT_EQ(got.chunks.size(), static_cast<std::size_t>(kReplayed + kLive));
  for (int i = 1; i <= kReplayed + kLive; ++i) ASSERT_EQ(got.chunks[i - 1], record_of(i)) << "event " << i;
  EXPECT_EQ(stat_value(server.port(), "transports.stream.events_sent"),
            static_cast<std::uint64_t>(kReplayed + kLive));
}

// The de-chunked body is byte for byte what /poll answers for the same events.
TEST(StreamServer, TheDechunkedBodyIsThePollBatch) {
  TestServer server;
  ASSERT_EQ(publish(server.port(), "same", "caf\xC3\xA9 at 12:00"), 1u);
  ASSERT_EQ(publish(server.port(), "same", "two\r\nlines"), 2u);
  ASSERT_EQ(publish(server.port(), "same", " leading space"), 3u);
  auto poll = http_get(server.port(), "/poll?channel=same&since=0");
  ASSERT_TRUE(poll);
  ASSERT_EQ(poll->status, 200);
  BlockingClient client(server.port());
  auto head = open_stream(client, "/stream?channel=same&since=0");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->header("content-type"), poll->header("content-type"));
  Dechunked got;
  for (int reads = 0; reads < 100 && got.chunks.size() < 3; ++reads) {
    client.read_until("\x01never\x01", std::chrono::milliseconds(20));
    got = dechunk(client.buffer());
  }
  ASSERT_EQ(got.chunks.size(), 3u);
  EXPECT_EQ(got.chunks[0] + got.chunks[1] + got.chunks[2], poll->body);
}

TEST(StreamServer, ResumesBySinceAfterAForcedDisconnect) {
  TestServer server;
  ASSERT_EQ(publish(server.port(), "resume", "1"), 1u);
  BlockingClient first(server.port());
  ASSERT_TRUE(open_stream(first, "/stream?channel=resume&since=0"));
  ASSERT_TRUE(wait_for_stat(server.port(), std::string(kStreams), 1));
  ASSERT_EQ(publish(server.port(), "resume", "2"), 2u);
  EXPECT_TRUE(body_becomes(first, chunk(record(1, "1")) + chunk(record(2, "2"))));
  server.run_on_loop([&] { server.server().force_close_all(); });
  EXPECT_TRUE(first.wait_closed());
  EXPECT_EQ(first.buffer(), chunk(record(1, "1")) + chunk(record(2, "2")));  // cut: no last chunk
  ASSERT_TRUE(wait_for_stat(server.port(), std::string(kStreams), 0));
  ASSERT_EQ(publish(server.port(), "resume", "3"), 3u);
  ASSERT_EQ(publish(server.port(), "resume", "4"), 4u);
  BlockingClient second(server.port());
  auto head = open_stream(second, "/stream?channel=resume&since=2");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  std::string expected = chunk(record(3, "3")) + chunk(record(4, "4"));
  EXPECT_TRUE(body_becomes(second, expected));
  ASSERT_TRUE(wait_for_stat(server.port(), std::string(kStreams), 1));
  ASSERT_EQ(publish(server.port(), "resume", "5"), 5u);
  EXPECT_TRUE(body_becomes(second, expected + chunk(record(5, "5"))));
}

TEST(StreamServer, LastEventIdIsAcceptedAndSinceWinsOverIt) {
  TestServer server;
  for (int i = 1; i <= 3; ++i) ASSERT_EQ(publish(server.port(), "q", std::to_string(i)), std::uint64_t(i));
  BlockingClient by_header(server.port());
  ASSERT_TRUE(open_stream(by_header, "/stream?channel=q", "Last-Event-ID: 1\r\n"));
  EXPECT_TRUE(body_becomes(by_header, chunk(record(2, "2")) + chunk(record(3, "3"))));
  BlockingClient both(server.port());
  ASSERT_TRUE(open_stream(both, "/stream?channel=q&since=2", "Last-Event-ID: 0\r\n"));
  EXPECT_TRUE(body_becomes(both, chunk(record(3, "3"))));
}

TEST(StreamServer, SinceOlderThanHistoryStartsWithAGapChunk) {
  ServerConfig config = TestServer::default_config();
  config.hub.history = 3;
  TestServer server(config);
  for (int i = 1; i <= 5; ++i)
    ASSERT_EQ(publish(server.port(), "gap", "e" + std::to_string(i)), std::uint64_t(i));
  BlockingClient client(server.port());
  ASSERT_TRUE(open_stream(client, "/stream?channel=gap&since=0"));
  EXPECT_TRUE(body_becomes(client, chunk("event: gap\ndata: 1-2\n\n") + chunk(record(3, "e3")) +
                                       chunk(record(4, "e4")) + chunk(record(5, "e5"))));
}

// A replay far larger than the connection's queue bound is paced by the socket, not buffered: the reader gets
// every event once, in order, including events published while the replay is under way, and is never dropped.
TEST(StreamServer, ReplayFollowsBackpressureAndJoinsTheLiveStream) {
  ServerConfig config = TestServer::default_config();
  config.listen.connection_limits.max_queued_bytes = 64 * 1024;
  config.hub.history = 4096;
  TestServer server(config);
  const std::string text(1000, 'r');
  constexpr int kHistory = 2000;  // ~2 MB of chunks against a 64 KiB queue
  server.run_on_loop([&] {
    for (int i = 0; i < kHistory; ++i) server.server().hub().publish("big", text);
  });
  BlockingClient client(server.port());
  ASSERT_TRUE(open_stream(client, "/stream?channel=big&since=0"));
  ASSERT_TRUE(client.read_until(chunk(record(1, text))));  // the replay has started, and stalls on our socket
  server.run_on_loop([&] {
    for (int i = 0; i < 5; ++i) server.server().hub().publish("big", "live" + std::to_string(i));
  });
  std::string expected;
  for (int i = 1; i <= kHistory; ++i) expected += chunk(record(i, text));
  for (int i = 0; i < 5; ++i) expected += chunk(record(kHistory + 1 + i, "live" + std::to_string(i)));
  EXPECT_TRUE(body_becomes(client, expected));
  EXPECT_EQ(stat_value(server.port(), "transports.stream.dropped_slow"), 0u);
  EXPECT_EQ(stat_value(server.port(), std::string(kStreams)), 1u);
}

// A subscriber that stops reading is cut when its queue passes the bound, exactly as an SSE stream is:
// counted in dropped_slow, its body a clean prefix of whole chunks with no last chunk. A reader on the same
// channel gets every event, in order, before and after.
TEST(StreamServer, SlowConsumerIsCutWhileAReaderGetsEveryEvent) {
  ServerConfig config = TestServer::default_config();
  config.listen.connection_limits.max_queued_bytes = 64 * 1024;
  TestServer server(config);
  SmallWindowClient stalled(server.port());  // never reads until the end
  ASSERT_TRUE(stalled.send("GET /stream?channel=slow&since=0 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  BlockingClient reader(server.port());
  ASSERT_TRUE(open_stream(reader, "/stream?channel=slow&since=0"));
  ASSERT_TRUE(wait_for_stat(server.port(), std::string(kStreams), 2));
  // Publish 16 KiB events until the stalled stream is dropped (kernel buffers absorb a few MB first), bounded
  // at 64 MB; the reader takes each event as it comes and must see all of them, in order.
  const std::string text(16 * 1024, 's');
  std::uint64_t id = 0;
  bool dropped = false;
  while (!dropped && id < 4096) {
    ++id;
    ASSERT_EQ(publish(server.port(), "slow", text), id);
    std::string expected = chunk(record(id, text));
    ASSERT_TRUE(reader.read_until(expected)) << "event " << id;
    ASSERT_EQ(reader.buffer(), expected) << "event " << id;
    reader.buffer().clear();
    if (id % 32 == 0) dropped = stat_value(server.port(), "transports.stream.dropped_slow") >= 1;
  }
  EXPECT_TRUE(dropped);
  EXPECT_GE(stat_value(server.port(), "dropped_slow_consumers"), 1u);
  EXPECT_TRUE(wait_for_stat(server.port(), std::string(kStreams), 1));
  ASSERT_EQ(publish(server.port(), "slow", "after"), id + 1);
  EXPECT_TRUE(body_becomes(reader, chunk(record(id + 1, "after"))));
  // Reads to the end: the server closed it.
  stalled.read_until("\x01never\x01");
  std::string_view bytes = stalled.buffer();
  const std::size_t body_start = bytes.find("\r\n\r\n");
  ASSERT_NE(body_start, std::string_view::npos);
  EXPECT_EQ(bytes.substr(0, 15), "HTTP/1.1 200 OK");
  Dechunked got = dechunk(bytes.substr(body_start + 4));
  EXPECT_FALSE(got.malformed);
  EXPECT_FALSE(got.ended);
  ASSERT_FALSE(got.chunks.empty());
  for (std::size_t i = 0; i < got.chunks.size(); ++i) ASSERT_EQ(got.chunks[i], record(i + 1, text)) << i;
}

TEST(StreamServer, HeartbeatChunksFillSilence) {
  ServerConfig config = TestServer::default_config();
  config.transports.get<StreamConfig>().heartbeat_ms = 200;
  TestServer server(config);
  BlockingClient client(server.port());
  ASSERT_TRUE(open_stream(client, "/stream?channel=hb"));
  EXPECT_TRUE(body_becomes(client, chunk(position(0)) + chunk(":\n\n")));
  EXPECT_TRUE(body_becomes(client, chunk(position(0)) + chunk(":\n\n") + chunk(":\n\n")));
}

TEST(StreamServer, GracefulShutdownEndsTheBodyWithTheLastChunk) {
  auto server = std::make_unique<TestServer>();
  ASSERT_EQ(publish(server->port(), "end", "one"), 1u);
  BlockingClient client(server->port());
  ASSERT_TRUE(open_stream(client, "/stream?channel=end&since=0"));
  ASSERT_TRUE(wait_for_stat(server->port(), std::string(kStreams), 1));
  server.reset();
  EXPECT_TRUE(client.wait_closed());
  EXPECT_EQ(client.buffer(), chunk(record(1, "one")) + std::string(kLastChunk));
}

// No stream can be made past the channel cap: the answer is a 200 whose body ends at once, cleanly, which a
// client takes as "reconnect later", as SSE answers an EventSource.
TEST(StreamServer, PastTheChannelCapTheBodyEndsAtOnce) {
  ServerConfig config = TestServer::default_config();
  config.hub.max_channels = 1;
  TestServer server(config);
  ASSERT_EQ(publish(server.port(), "only", "x"), 1u);
  BlockingClient client(server.port());
  auto head = open_stream(client, "/stream?channel=another&since=0");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("transfer-encoding"), "chunked");
  EXPECT_TRUE(client.wait_closed());
  EXPECT_EQ(client.buffer(), kLastChunk);
}

// HEAD, POST and bad parameters get what /sse gives: a HEAD of an endless body is refused like any other
// method but GET.
TEST(StreamServer, HeadOtherMethodsAndBadParametersAreAnsweredAsForSse) {
  TestServer server;
  for (std::string_view method : {"HEAD", "POST", "PUT", "DELETE"}) {
    for (std::string_view path : {"/stream", "/sse"}) {
      BlockingClient c(server.port());
      ASSERT_TRUE(c.send(std::string(method) + " " + std::string(path) +
                         " HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"));
      ASSERT_TRUE(c.read_until("\r\n\r\n")) << method << " " << path;
      EXPECT_EQ(c.buffer().substr(0, 12), "HTTP/1.1 405") << method << " " << path;
      EXPECT_NE(c.buffer().find("\r\nAllow: GET\r\n"), std::string::npos) << method << " " << path;
    }
  }
  for (std::string_view target : {"/stream?channel=bad%20name", "/stream?since=abc", "/stream?since=-1"}) {
    auto r = http_get(server.port(), target);
    ASSERT_TRUE(r) << target;
    EXPECT_EQ(r->status, 400) << target;
  }
  EXPECT_EQ(stat_value(server.port(), std::string(kStreams)), 0u);
}

// An HTTP/1.0 request may not be answered with Transfer-Encoding (RFC 9112 6.1): the records come unframed
// and the close ends the body.
TEST(StreamServer, AnHttp10PeerGetsRecordsDelimitedByTheClose) {
  auto server = std::make_unique<TestServer>();
  ASSERT_EQ(publish(server->port(), "old", "one"), 1u);
  BlockingClient client(server->port());
  ASSERT_TRUE(client.send("GET /stream?channel=old&since=0 HTTP/1.0\r\n\r\n"));
  ASSERT_TRUE(client.read_until(record(1, "one")));
  const std::string head = client.buffer().substr(0, client.buffer().find("\r\n\r\n") + 4);
  EXPECT_EQ(head.substr(0, 15), "HTTP/1.1 200 OK");
  EXPECT_EQ(head.find("Transfer-Encoding"), std::string::npos);
  EXPECT_EQ(head.find("Content-Length"), std::string::npos);
  ASSERT_TRUE(wait_for_stat(server->port(), std::string(kStreams), 1));
  ASSERT_EQ(publish(server->port(), "old", "two"), 2u);
  ASSERT_TRUE(client.read_until(record(2, "two")));
  server.reset();
  EXPECT_TRUE(client.wait_closed());
  EXPECT_EQ(client.buffer(), head + record(1, "one") + record(2, "two"));
}

// curl as a third-party client, run as `curl -sN --max-time 20 URL`: its output is the de-chunked records as
// they come; its exit status says whether the body ended cleanly (0) or was cut (18, "transfer closed with
// outstanding read data remaining").
class Curl {
 public:
  explicit Curl(const std::string& url) {
    int out[2];
    if (::pipe(out) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    posix_spawn_file_actions_addclose(&actions, out[1]);
    const char* argv[] = {"curl", "-sN", "--max-time", "20", url.c_str(), nullptr};
    int rc = posix_spawnp(&pid_, "curl", &actions, nullptr, const_cast<char* const*>(argv), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    if (rc != 0) {
      pid_ = -1;
      ::close(out[0]);
      return;
    }
    fd_ = out[0];
  }
  ~Curl() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
    if (fd_ >= 0) ::close(fd_);
  }
  Curl(const Curl&) = delete;
  Curl& operator=(const Curl&) = delete;

  bool running() const { return pid_ > 0; }
  // Reads curl's output until it holds `want` or 5 s pass without a byte.
  const std::string& read_until(const std::string& want) {
    while (fd_ >= 0 && out_.find(want) == std::string::npos) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 5000) <= 0) break;
      char buf[4096];
      ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n <= 0) break;
      out_.append(buf, static_cast<std::size_t>(n));
    }
    return out_;
  }
  // curl's exit status once it has ended by itself (its output is drained first), or -1 if it has not
  // within 10 s.
  int wait_exit() {
    read_until("\x01never\x01");
    for (int i = 0; i < 1000 && pid_ > 0; ++i) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      ::usleep(10'000);
    }
    return -1;
  }
  const std::string& output() const { return out_; }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string out_;
};

bool have_curl() {
  return std::system("command -v curl >/dev/null 2>&1") == 0;
}

TEST(StreamServer, CurlPrintsTheRecordsAndSeesACleanEndOnShutdown) {
  if (!have_curl()) GTEST_SKIP() << "curl is not installed: the third-party client check needs it";
  auto server = std::make_unique<TestServer>();
  ASSERT_EQ(publish(server->port(), "curl", "one"), 1u);
  ASSERT_EQ(publish(server->port(), "curl", "two\nlines"), 2u);
  Curl curl("http://127.0.0.1:" + std::to_string(server->port()) + "/stream?channel=curl&since=0");
  ASSERT_TRUE(curl.running()) << "cannot run curl";
  std::string expected = record(1, "one") + "id: 2\ndata: two\ndata: lines\n\n";
  EXPECT_EQ(curl.read_until(expected), expected);
  ASSERT_TRUE(wait_for_stat(server->port(), std::string(kStreams), 1));
  ASSERT_EQ(publish(server->port(), "curl", "three"), 3u);
  expected += record(3, "three");
  EXPECT_EQ(curl.read_until(expected), expected);
  server.reset();  // graceful shutdown: the last chunk
  EXPECT_EQ(curl.wait_exit(), 0);
  EXPECT_EQ(curl.output(), expected);
}

TEST(StreamServer, CurlSeesACutBodyWhenTheConnectionIsDropped) {
  if (!have_curl()) GTEST_SKIP() << "curl is not installed: the third-party client check needs it";
  TestServer server;
  ASSERT_EQ(publish(server.port(), "cut", "one"), 1u);
  Curl curl("http://127.0.0.1:" + std::to_string(server.port()) + "/stream?channel=cut&since=0");
  ASSERT_TRUE(curl.running()) << "cannot run curl";
  EXPECT_EQ(curl.read_until(record(1, "one")), record(1, "one"));
  ASSERT_TRUE(wait_for_stat(server.port(), std::string(kStreams), 1));
  server.run_on_loop([&] { server.server().force_close_all(); });
  EXPECT_EQ(curl.wait_exit(), 18);  // CURLE_PARTIAL_FILE: no last chunk
}

}  // namespace
}  // namespace rtb::test::stream_server
