// Faults with resume: events are published at a steady 200/s for 30 s while, every second, a random 10% of
// 20 long-poll, 20 SSE and 20 WebSocket subscribers are killed (TCP reset, no close handshake, often with an
// answer in flight) and reconnect resuming by id (since=, Last-Event-ID). At the end every subscriber holds
// every event exactly once, in order. The RNG is seeded (RTB_FAULT_SEED overrides) so a failure reproduces.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/server/push_test_util.hpp"
#include "tests/server/server_test_util.hpp"
#include "tests/server/ws_test_client.hpp"
#include "transports/websocket/websocket_transport.hpp"
#include "transports/sse/sse_transport.hpp"

namespace rtb::test {
namespace {

constexpr int kPerTransport = 20;
constexpr int kSeconds = 30;
constexpr int kRatePerSecond = 200;
constexpr std::uint64_t kEvents = std::uint64_t{kSeconds} * kRatePerSecond;

enum class Kind { kLongPoll, kSse, kWs };

std::string text_of(std::uint64_t id) {
  return "event " + std::to_string(id);
}

// Closes with a reset (SO_LINGER 0): the server sees the peer vanish, not a clean FIN or a close frame.
void kill_abruptly(BlockingClient& c) {
  linger l{1, 0};
  ::setsockopt(c.fd(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
  c.close();
}

// One subscriber on its own thread: reads, and whenever `kill` is raised drops its connection abruptly and
// reconnects from the last id it holds.
class Subscriber {
 public:
  Subscriber(Kind kind, int port) : kind_(kind), port_(port) {}
  void run(const std::atomic<bool>& give_up) {
    while (!give_up.load() && last_ < kEvents && error_.empty()) {
      connect();
      while (!give_up.load() && last_ < kEvents && error_.empty() && !kill.exchange(false)) step();
      ++connections_;
    }
  }
  std::atomic<bool> kill{false};
  Kind kind() const { return kind_; }
  std::uint64_t last() const { return last_; }
  int connections() const { return connections_; }
  const std::string& error() const { return error_; }

 private:
  void connect() {
    if (ws_) kill_abruptly(ws_->tcp());
    if (http_) kill_abruptly(*http_);
    ws_.reset();
    http_.reset();
    const std::string since = std::to_string(last_);
    switch (kind_) {
      case Kind::kLongPoll:
        http_ = std::make_unique<BlockingClient>(port_);
        return;
      case Kind::kSse: {
        http_ = std::make_unique<BlockingClient>(port_);
        // Both resume forms, alternately: the browser's header and the query parameter.
        auto head = connections_ % 2 == 0
                        ? open_stream(*http_, "/sse?channel=f", "Last-Event-ID: " + since + "\r\n")
                        : open_stream(*http_, "/sse?channel=f&since=" + since);
        if (!head || head->status != 200) error_ = "SSE connect failed";
        return;
      }
      case Kind::kWs:
        ws_ = std::make_unique<WsTestClient>(port_, "/ws?channel=f&since=" + since);
        if (!ws_->upgraded()) error_ = "WebSocket connect failed";
        return;
    }
  }

  void got(std::uint64_t id, std::string_view data) {
    if (id != last_ + 1 || data != text_of(id)) {
      error_ =
          "after " + std::to_string(last_) + " got id " + std::to_string(id) + " [" + std::string(data) + "]";
      return;
    }
    last_ = id;
  }

  void step() {
    switch (kind_) {
      case Kind::kLongPoll: {
        if (!http_->send("GET /longpoll?channel=f&timeout=200&since=" + std::to_string(last_) +
                         " HTTP/1.1\r\nHost: x\r\n\r\n")) {
          error_ = "long poll send failed";
          return;
        }
        // A kill raised now drops the connection with the answer in flight.
        if (kill.load()) return;
        auto r = http_->read_response();
        if (!r || (r->status != 200 && r->status != 204)) {
          error_ = "long poll failed";
          return;
        }
        if (!r->header("x-rtb-gap").empty()) error_ = "long poll gap " + r->header("x-rtb-gap");
        parse_records(r->body, /*whole=*/true);
        return;
      }
      case Kind::kSse: {
        // Only unparsed bytes stay in the buffer, so read_until waits for the next record end.
        std::string& buf = http_->buffer();
        http_->read_until("\n\n", std::chrono::milliseconds(50));
        buf.erase(0, parse_records(buf, /*whole=*/false));
        return;
      }
      case Kind::kWs: {
        auto f = ws_->read_frame(std::chrono::milliseconds(50));
        if (!f) return;  // timeout: check for a kill and read on
        if (f->opcode() != ws_b0::kText) return;
        const std::size_t space = f->payload.find(' ');
        if (space == std::string::npos || f->payload.rfind("gap ", 0) == 0) {
          error_ = "WebSocket frame " + f->payload;
          return;
        }
        got(std::stoull(f->payload.substr(0, space)), std::string_view(f->payload).substr(space + 1));
        return;
      }
    }
  }

  // Reads "id: N\ndata: D\n\n" records (blocks without data are the preface and positions); returns the
  // bytes consumed. `whole`: the body must end on a record boundary.
  std::size_t parse_records(std::string_view body, bool whole) {
    std::size_t consumed = 0;
    for (;;) {
      const std::size_t end = body.find("\n\n", consumed);
      if (end == std::string_view::npos) break;
      const std::string_view block = body.substr(consumed, end + 2 - consumed);
      consumed = end + 2;
      if (block.find("event: gap") != std::string_view::npos) {
        error_ = "gap record " + std::string(block);
        return consumed;
      }
      const std::size_t data = block.find("\ndata: ");
      if (data == std::string_view::npos) continue;
      if (block.rfind("id: ", 0) != 0) {
        error_ = "record without id";
        return consumed;
      }
      got(std::stoull(std::string(block.substr(4, data - 4))),
          block.substr(data + 7, block.size() - data - 9));
      if (!error_.empty()) return consumed;
    }
    if (whole && consumed != body.size()) error_ = "batch ends inside a record";
    return consumed;
  }

  Kind kind_;
  int port_;
  std::unique_ptr<BlockingClient> http_;
  std::unique_ptr<WsTestClient> ws_;
  std::uint64_t last_ = 0;
  int connections_ = 0;
  std::string error_;
};

TEST(FaultResume, KillingTenPercentEverySecondLosesAndDuplicatesNothing) {
  ServerConfig config = TestServer::default_config();
  config.transports.get<SseConfig>().heartbeat_ms = 0;
  config.transports.get<WsConfig>().ping_interval_ms = 0;
  config.hub.history = kEvents + 1;  // resumes must never fall behind the history: a gap would be a loss
  TestServer server(config);
  const int port = server.port();

  const char* seed_env = std::getenv("RTB_FAULT_SEED");
  const std::uint32_t seed =
      seed_env != nullptr ? static_cast<std::uint32_t>(std::strtoul(seed_env, nullptr, 10)) : 20240908u;
  SCOPED_TRACE(testing::Message() << "RTB_FAULT_SEED=" << seed);
  std::mt19937 rng(seed);

  std::vector<std::unique_ptr<Subscriber>> subs;
  for (Kind kind : {Kind::kLongPoll, Kind::kSse, Kind::kWs})
    for (int i = 0; i < kPerTransport; ++i) subs.push_back(std::make_unique<Subscriber>(kind, port));
  std::atomic<bool> give_up{false};
  std::vector<std::thread> threads;
  for (auto& s : subs) threads.emplace_back([&s, &give_up] { s->run(give_up); });

  // The publisher: 200 events a second on a fixed schedule (sleep_until, so a slow publish does not shift
  // the rest), ids checked as they are assigned.
  std::atomic<std::uint64_t> published{0};
  std::string publish_error;
  std::thread publisher([&] {
    BlockingClient c(port);
    const auto start = std::chrono::steady_clock::now();
    for (std::uint64_t id = 1; id <= kEvents; ++id) {
      std::this_thread::sleep_until(start + std::chrono::microseconds(1'000'000 / kRatePerSecond) * id);
      auto r = c.request("POST", "/publish?channel=f", text_of(id));
      if (!r || r->status != 200 || r->body != std::to_string(id)) {
        publish_error = "publish " + std::to_string(id) + " failed";
        return;
      }
      published = id;
    }
  });

  // Every second, 10% of each transport (2 of 20), chosen by the seeded RNG.
  int kills = 0;
  for (int second = 1; second <= kSeconds; ++second) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    for (int kind = 0; kind < 3; ++kind) {
      std::array<int, kPerTransport> order;
      for (int i = 0; i < kPerTransport; ++i) order[i] = i;
      std::shuffle(order.begin(), order.end(), rng);
      for (int k = 0; k < kPerTransport / 10; ++k) {
        subs[kind * kPerTransport + order[k]]->kill = true;
        ++kills;
      }
    }
  }
  publisher.join();
  ASSERT_EQ(publish_error, "");
  ASSERT_EQ(published.load(), kEvents);

  // Bounded wait for the subscribers to catch up, then everyone stops.
  for (int i = 0; i < 1000; ++i) {
    bool all = true;
    for (auto& s : subs) all = all && (s->last() >= kEvents || !s->error().empty());
    if (all) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  give_up = true;
  for (auto& t : threads) t.join();

  int reconnects = 0;
  for (std::size_t i = 0; i < subs.size(); ++i) {
    const char* names[] = {"long-poll", "SSE", "WebSocket"};
    SCOPED_TRACE(testing::Message() << names[static_cast<int>(subs[i]->kind())] << " subscriber " << i);
    EXPECT_EQ(subs[i]->error(), "");
    // `got` accepts only last+1 with its text, so last == kEvents means 1..kEvents exactly once, in order.
    EXPECT_EQ(subs[i]->last(), kEvents);
    reconnects += subs[i]->connections() - 1;
  }
  // Each kill became a reconnect (a flag raised twice before it was seen counts once, hence not equal).
  EXPECT_EQ(kills, kSeconds * 3 * (kPerTransport / 10));
  EXPECT_GT(reconnects, kills / 2);
  EXPECT_LE(reconnects, kills);
}

}  // namespace
}  // namespace rtb::test
