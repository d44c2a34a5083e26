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
#include "tests/server/resumer.hpp"
#include "tests/server/server_test_util.hpp"
#include "tests/server/ws_test_client.hpp"
#include "tests/support/history_broker.hpp"
#include "transports/server/worker.hpp"

namespace rtb::test {
namespace {

constexpr std::size_t kWindow = 16;
constexpr std::size_t kBrokerKeeps = 200;
constexpr std::uint32_t kFetchTimeoutMs = 400;

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
