// Isolation: one misbehaving connection gets its error and is closed while a well-behaved poller on another
// connection keeps receiving every event, in order; and graceful shutdown with clients still connected.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "tests/server/server_test_util.hpp"

namespace rtb::test {
namespace {

// Parses batch records "id: N\ndata: D\n\n" (single-line data) into (id, data) pairs; false on anything else.
bool parse_batch(std::string_view body, std::vector<std::pair<std::uint64_t, std::string>>& out) {
  while (!body.empty()) {
    if (body.substr(0, 4) != "id: ") return false;
    auto nl = body.find('\n');
    if (nl == std::string_view::npos) return false;
    std::uint64_t id = std::stoull(std::string(body.substr(4, nl - 4)));
    body.remove_prefix(nl + 1);
    if (body.substr(0, 6) != "data: ") return false;
    nl = body.find('\n');
    if (nl == std::string_view::npos || body.size() < nl + 2 || body[nl + 1] != '\n') return false;
    out.emplace_back(id, std::string(body.substr(6, nl - 6)));
    body.remove_prefix(nl + 2);
  }
  return true;
}

struct AttackResult {
  int attempts = 0;
  int got_expected_status = 0;
  int closed = 0;
};

// Bad clients, each on its own connection, for as long as `stop` is false (bounded by `max_attempts`).
AttackResult attack(int port, const std::atomic<bool>& stop, int max_attempts) {
  AttackResult result;
  const std::string oversize =
      "GET /poll HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4096, 'z') + "\r\n\r\n";
  for (int i = 0; i < max_attempts && (!stop.load() || i < 4); ++i) {
    BlockingClient c(port);
    bool garbage = i % 2 == 0;
    c.send(garbage ? std::string_view("\x16\x03\x01 this is not http\r\n\r\n") : std::string_view(oversize));
    auto r = c.read_response();
    ++result.attempts;
    if (r && r->status == (garbage ? 400 : 431)) ++result.got_expected_status;
    if (c.wait_closed()) ++result.closed;
  }
  return result;
}

TEST(ServerIsolation, BadClientsDoNotDisturbAPoller) {
  ServerConfig config = TestServer::default_config();
  config.http.max_header_bytes = 1024;
  TestServer server(config);
  const int port = server.port();
  constexpr int kEvents = 200;

  std::atomic<bool> stop{false};
  AttackResult attacked;
  std::thread attacker([&] { attacked = attack(port, stop, 400); });

  BlockingClient publisher(port);
  BlockingClient poller(port);
  std::vector<std::pair<std::uint64_t, std::string>> received;
  std::uint64_t since = 0;
  bool poll_failed = false;
  for (int i = 1; i <= kEvents; ++i) {
    auto p = publisher.request("POST", "/publish?channel=iso", "event-" + std::to_string(i));
    ASSERT_TRUE(p) << i;
    ASSERT_EQ(p->body, std::to_string(i));
    if (i % 3 == 0 || i == kEvents) {
      auto r = poller.request("GET", "/poll?channel=iso&since=" + std::to_string(since));
      if (!r || (r->status != 200 && r->status != 204) || !parse_batch(r->body, received)) {
        poll_failed = true;
        break;
      }
      if (!received.empty()) since = received.back().first;
    }
  }
  stop = true;
  attacker.join();

  ASSERT_FALSE(poll_failed);
  ASSERT_EQ(received.size(), static_cast<std::size_t>(kEvents));
  for (std::size_t i = 0; i < received.size(); ++i) {
    EXPECT_EQ(received[i].first, i + 1);
    EXPECT_EQ(received[i].second, "event-" + std::to_string(i + 1));
  }
  EXPECT_GE(attacked.attempts, 4);
  EXPECT_EQ(attacked.got_expected_status, attacked.attempts);
  EXPECT_EQ(attacked.closed, attacked.attempts);
  // The poller's connection is still the one it started with, and still works.
  auto last = poller.request("GET", "/poll?channel=iso&since=" + std::to_string(kEvents - 1));
  ASSERT_TRUE(last);
  EXPECT_EQ(last->body, record(kEvents, "event-" + std::to_string(kEvents)));
}

TEST(ServerIsolation, SlowlorisDoesNotBlockOthers) {
  // A client that stalls mid-request holds only its own connection.
  TestServer server;
  BlockingClient slow(server.port());
  ASSERT_TRUE(slow.send("POST /publish HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly part"));
  for (int i = 1; i <= 5; ++i) EXPECT_EQ(publish(server.port(), "default", "x"), std::uint64_t(i));
  auto poll = http_get(server.port(), "/poll?since=4");
  ASSERT_TRUE(poll);
  EXPECT_EQ(poll->body, record(5, "x"));
}

TEST(ServerGracefulShutdown, IdleKeepAliveClientIsClosed) {
  auto server = std::make_unique<TestServer>();
  BlockingClient idle(server->port());
  auto r = idle.request("GET", "/poll");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 204);
  server.reset();  // returns only once the loop has ended
  EXPECT_TRUE(idle.wait_closed());
  EXPECT_EQ(idle.buffer(), "");
}

TEST(ServerGracefulShutdown, ClientsMidRequestAndNeverSpeakingAreClosed) {
  auto server = std::make_unique<TestServer>();
  BlockingClient silent(server->port());
  BlockingClient half(server->port());
  ASSERT_TRUE(half.send("GET /poll HTTP/1.1\r\nHo"));
  // Both connections are known to the server before it shuts down.
  auto stats = get_stats(server->port());
  ASSERT_EQ(stats["connections.total"], "3");
  server.reset();
  EXPECT_TRUE(silent.wait_closed());
  EXPECT_TRUE(half.wait_closed());
}

}  // namespace
}  // namespace rtb::test
