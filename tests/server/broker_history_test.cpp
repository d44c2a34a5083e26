// History beyond the hub's window, read through the broker: a server whose broker (a HistoryBroker, as a
// Redis broker's capped stream) keeps more than the hub's 16-event window. A client resuming on /sse, /ws,
// /longpoll or /poll gets every event the broker still holds exactly once and in order, then live events;
// or a gap naming what the broker no longer holds, failed to give, or did not give in time. Never silence.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/server/push_test_util.hpp"
#include "tests/server/server_test_util.hpp"
#include "tests/server/ws_test_client.hpp"
#include "tests/support/history_broker.hpp"
#include "transports/server/worker.hpp"

namespace rtb::test {
namespace {

constexpr std::size_t kWindow = 16;
constexpr std::size_t kBrokerKeeps = 200;
constexpr std::uint32_t kFetchTimeoutMs = 400;

std::string history_text(std::uint64_t id) {
  return "event " + std::to_string(id);
}

enum class Via { kSse, kWs, kLongPoll, kPoll };

std::string via_name(const testing::TestParamInfo<Via>& info) {
  switch (info.param) {
    case Via::kSse:
      return "sse";
    case Via::kWs:
      return "ws";
    case Via::kLongPoll:
      return "longpoll";
    case Via::kPoll:
      return "poll";
  }
  return "?";
}

// A client that resumes after `since` on one transport and writes down what it gets: "gap a-b" or "<id>"
// (each event's text checked against its id).
class Resumer {
 public:
  Resumer(Via via, int port, std::uint64_t since) : via_(via), port_(port), last_(since) {}

  // Connects, or sends the first poll, without reading anything yet.
  void start() {
    const std::string target = "?channel=c&since=" + std::to_string(last_);
    switch (via_) {
      case Via::kSse: {
        http_ = std::make_unique<BlockingClient>(port_);
        auto head = open_stream(*http_, "/sse" + target);
        ASSERT_TRUE(head && head->status == 200);
        return;
      }
      case Via::kWs:
        ws_ = std::make_unique<WsTestClient>(port_, "/ws" + target);
        ASSERT_TRUE(ws_->upgraded());
        return;
      case Via::kLongPoll:
      case Via::kPoll:
        http_ = std::make_unique<BlockingClient>(port_);
        send_poll();
        return;
    }
  }

  // Reads until it holds id `until` (bounded: 10 s); what it got so far.
  const std::vector<std::string>& read_until(std::uint64_t until) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (last_ < until && error_.empty() && std::chrono::steady_clock::now() < deadline) step();
    EXPECT_EQ(error_, "");
    return got_;
  }

 private:
  void send_poll() {
    const bool parked = via_ == Via::kLongPoll;
    const std::string request = std::string(parked ? "GET /longpoll" : "GET /poll") +
                                "?channel=c&since=" + std::to_string(last_) +
                                (parked ? "&timeout=1000" : "") + " HTTP/1.1\r\nHost: x\r\n\r\n";
    if (!http_->send(request)) error_ = "poll send failed";
  }

  void step() {
    switch (via_) {
      case Via::kSse: {
        std::string& buf = http_->buffer();
        http_->read_until("\n\n", std::chrono::milliseconds(100));
        buf.erase(0, parse_records(buf));
        return;
      }
      case Via::kWs: {
        auto f = ws_->read_frame(std::chrono::milliseconds(100));
        if (!f || f->opcode() != ws_b0::kText) return;
        if (f->payload.rfind("gap ", 0) == 0) {
          gap(f->payload.substr(4));
          return;
        }
        const std::size_t space = f->payload.find(' ');
        if (space == std::string::npos) {
          error_ = "frame " + f->payload;
          return;
        }
        event(std::stoull(f->payload.substr(0, space)), f->payload.substr(space + 1));
        return;
      }
      case Via::kLongPoll:
      case Via::kPoll: {
        auto r = http_->read_response(std::chrono::seconds(5));
        if (!r || (r->status != 200 && r->status != 204)) {
          error_ = "poll failed";
          return;
        }
        const std::size_t gaps_before = gaps_;
        if (parse_records(r->body) != r->body.size()) error_ = "a partial record in a batch";
        // The header names the gap the body's first record does.
        const std::string header = r->header("x-rtb-gap");
        if (gaps_ != gaps_before) {
          EXPECT_EQ("gap " + header, got_[last_gap_index_]);
        } else {
          EXPECT_EQ(header, "");
        }
        if (via_ == Via::kPoll && r->status == 204)
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        send_poll();
        return;
      }
    }
  }

  // Reads whole "...\n\n" records; the bytes consumed. The preface (retry:, an id-only record) is skipped.
  std::size_t parse_records(std::string_view body) {
    std::size_t consumed = 0;
    for (;;) {
      const std::size_t end = body.find("\n\n", consumed);
      if (end == std::string_view::npos) return consumed;
      const std::string_view block = body.substr(consumed, end + 2 - consumed);
      consumed = end + 2;
      const std::size_t data = block.find("data: ");
      if (data == std::string_view::npos) continue;
      const std::string_view text = block.substr(data + 6, block.size() - data - 8);
      if (block.rfind("event: gap\n", 0) == 0) {
        gap(text);
      } else if (block.rfind("id: ", 0) == 0) {
        event(std::stoull(std::string(block.substr(4))), text);
      } else {
        error_ = "record " + std::string(block);
      }
    }
  }

  void gap(std::string_view range) {
    const std::size_t dash = range.find('-');
    const std::uint64_t first = std::stoull(std::string(range.substr(0, dash)));
    const std::uint64_t last = std::stoull(std::string(range.substr(dash + 1)));
    if (first != last_ + 1 || last < first)
      error_ = "gap " + std::string(range) + " after " + std::to_string(last_);
    last_gap_index_ = got_.size();
    got_.push_back("gap " + std::string(range));
    last_ = last;
    ++gaps_;
  }

  void event(std::uint64_t id, std::string_view text) {
    if (id != last_ + 1 || text != history_text(id)) {
      error_ =
          "after " + std::to_string(last_) + " got " + std::to_string(id) + " [" + std::string(text) + "]";
      return;
    }
    got_.push_back(std::to_string(id));
    last_ = id;
  }

  Via via_;
  int port_;
  std::uint64_t last_;
  std::size_t last_gap_index_ = 0;
  std::size_t gaps_ = 0;
  std::unique_ptr<BlockingClient> http_;
  std::unique_ptr<WsTestClient> ws_;
  std::vector<std::string> got_;
  std::string error_;
};

// "gap a-b" (when given) then "first".."last".
std::vector<std::string> replayed(std::uint64_t first, std::uint64_t last, std::string gap = {}) {
  std::vector<std::string> out;
  if (!gap.empty()) out.push_back("gap " + gap);
  for (std::uint64_t id = first; id <= last; ++id) out.push_back(std::to_string(id));
  return out;
}

class BrokerHistory : public testing::TestWithParam<Via> {
 protected:
  // A server whose hub keeps 16 events in front of a broker that keeps 200; `setup` runs on the broker
  // before the server starts.
  void serve(const std::function<void(HistoryBroker&)>& setup = nullptr,
             std::uint32_t fetch_timeout_ms = kFetchTimeoutMs) {
    ServerConfig config = TestServer::default_config();
    config.hub.history = kWindow;
    config.hub.fetch_timeout_ms = fetch_timeout_ms;
    server_ = std::make_unique<TestServer>(config, [this, setup](Loop& loop) {
      auto broker = std::make_unique<HistoryBroker>(loop, kBrokerKeeps);
      if (setup) setup(*broker);
      broker_ = broker.get();
      return broker;
    });
  }
  void publish_up_to(std::uint64_t last) {
    for (std::uint64_t id = next_id_; id <= last; ++id) ASSERT_EQ(publish(port(), "c", history_text(id)), id);
    next_id_ = last + 1;
  }
  template <typename Fn>
  void on_broker(Fn&& fn) {
    server_->run_on_loop([&] { fn(*broker_); });
  }
  std::uint64_t broker_fetches() {
    std::uint64_t n = 0;
    on_broker([&](HistoryBroker& b) { n = b.fetches; });
    return n;
  }
  int port() const { return server_->port(); }

  std::unique_ptr<TestServer> server_;
  HistoryBroker* broker_ = nullptr;  // lives on the server's loop thread: touched through on_broker only
  std::uint64_t next_id_ = 1;
};

TEST_P(BrokerHistory, ResumesFromHistoryOlderThanTheWindowThenGoesLive) {
  serve();
  publish_up_to(300);  // the window holds 285..300, the broker 101..300
  Resumer client(GetParam(), port(), 150);
  client.start();
  EXPECT_EQ(client.read_until(300), replayed(151, 300));
  EXPECT_GT(broker_fetches(), 0u);
  publish_up_to(302);
  EXPECT_EQ(client.read_until(302), replayed(151, 302));
}

TEST_P(BrokerHistory, NamesWhatTheBrokerNoLongerHolds) {
  serve();
  publish_up_to(300);
  Resumer client(GetParam(), port(), 50);
  client.start();
  EXPECT_EQ(client.read_until(300), replayed(101, 300, "51-100"));
}

TEST_P(BrokerHistory, WaitsForALateBrokerAndMissesNothingPublishedMeanwhile) {
  serve([](HistoryBroker& b) {
    b.answer = HistoryBroker::Answer::kLate;
    b.late_ms = 300;
  });
  publish_up_to(300);
  Resumer client(GetParam(), port(), 150);
  client.start();
  publish_up_to(305);  // while the broker has not answered yet
  EXPECT_EQ(client.read_until(305), replayed(151, 305));
  std::size_t held = 1;
  on_broker([&](HistoryBroker& b) { held = b.held(); });
  EXPECT_EQ(held, 0u);
}

TEST_P(BrokerHistory, NamesTheGapWhenTheBrokerFails) {
  serve([](HistoryBroker& b) { b.answer = HistoryBroker::Answer::kFail; });
  publish_up_to(300);
  Resumer client(GetParam(), port(), 150);
  client.start();
  EXPECT_EQ(client.read_until(300), replayed(285, 300, "151-284"));
}

TEST_P(BrokerHistory, NamesTheGapWhenTheBrokerDoesNotAnswerInTime) {
  serve([](HistoryBroker& b) { b.answer = HistoryBroker::Answer::kNever; });
  publish_up_to(300);
  Resumer client(GetParam(), port(), 150);
  const auto started = std::chrono::steady_clock::now();
  client.start();
  EXPECT_EQ(client.read_until(300), replayed(285, 300, "151-284"));
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(kFetchTimeoutMs));
}

TEST_P(BrokerHistory, AWorkerThatJustStartedReadsWhatWasPublishedBeforeIt) {
  // 100 events the broker holds and this server's hub never saw; the channel exists here (someone
  // subscribed), its window is empty.
  serve([](HistoryBroker& b) { b.seed("c", 100, history_text); });
  server_->run_on_loop([&] { server_->server().hub().channel("c"); });
  next_id_ = 101;
  Resumer client(GetParam(), port(), 40);
  client.start();
  EXPECT_EQ(client.read_until(100), replayed(41, 100));
  publish_up_to(101);
  EXPECT_EQ(client.read_until(101), replayed(41, 101));
}

// A poll waiting on the broker when the server shuts down is answered at once, naming what the broker did not
// answer (streams just end: their clients resume after reconnecting).
using BrokerHistoryShutdown = BrokerHistory;

TEST_P(BrokerHistoryShutdown, AnswersAWaitingPollWithTheGap) {
  serve([](HistoryBroker& b) { b.answer = HistoryBroker::Answer::kNever; }, 60'000);
  publish_up_to(300);
  BlockingClient client(port());
  const std::string path = GetParam() == Via::kLongPoll ? "/longpoll" : "/poll";
  ASSERT_TRUE(client.send("GET " + path + "?channel=c&since=150 HTTP/1.1\r\nHost: x\r\n\r\n"));
  for (int i = 0; i < 500 && broker_fetches() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_EQ(broker_fetches(), 1u);
  server_->run_on_loop([&] { server_->server().shutdown(); });
  auto r = client.read_response(std::chrono::seconds(5));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("x-rtb-gap"), "151-284");
  std::string body = "event: gap\ndata: 151-284\n\n";
  for (std::uint64_t id = 285; id <= 300; ++id) body += record(id, history_text(id));
  EXPECT_EQ(r->body, body);
}

INSTANTIATE_TEST_SUITE_P(Polls, BrokerHistoryShutdown, testing::Values(Via::kLongPoll, Via::kPoll), via_name);

INSTANTIATE_TEST_SUITE_P(Transports, BrokerHistory,
                         testing::Values(Via::kSse, Via::kWs, Via::kLongPoll, Via::kPoll), via_name);

}  // namespace
}  // namespace rtb::test
