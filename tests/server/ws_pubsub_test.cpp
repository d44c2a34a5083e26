// /ws over loopback: events as `<id> <data>` frames, resume with since (exact replay, gap frames, replay
// under backpressure), publishing from a WebSocket to every transport, isolation from misbehaving clients,
// slow consumers dropped with 1008 and counted, and the keepalive ping.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/server/push_test_util.hpp"
#include "tests/server/server_test_util.hpp"
#include "tests/server/ws_test_client.hpp"
#include "transports/server/worker.hpp"
#include "transports/websocket/websocket_transport.hpp"

namespace rtb::test {
namespace {

using namespace ws_b0;

ServerConfig quiet_config() {
  ServerConfig config = TestServer::default_config();
  config.transports.get<WsConfig>().ping_interval_ms = 0;
  return config;
}

std::string event_text(std::uint64_t id, std::string_view data) {
  return std::to_string(id) + " " + std::string(data);
}

// The next frame must be the text frame of this event.
void expect_event(WsTestClient& c, std::uint64_t id, std::string_view data) {
  auto f = c.read_frame();
  ASSERT_TRUE(f) << "no frame for event " << id;
  EXPECT_EQ(f->b0, kFin | kText);
  EXPECT_EQ(f->payload, event_text(id, data));
}

TEST(WsPubSub, LiveEventsArriveAsIdAndTextFrames) {
  TestServer server(quiet_config());
  WsTestClient a(server.port(), "/ws?channel=live");
  WsTestClient b(server.port(), "/ws?channel=live");
  WsTestClient other(server.port(), "/ws?channel=elsewhere");
  ASSERT_TRUE(a.upgraded() && b.upgraded() && other.upgraded());
  ASSERT_TRUE(wait_for_stat(server.port(), "connections.ws", 3));
  ASSERT_EQ(publish(server.port(), "live", "first"), 1u);
  ASSERT_EQ(publish(server.port(), "live", "two words\nand a line"), 2u);
  ASSERT_EQ(publish(server.port(), "live", "\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5"), 3u);
  for (WsTestClient* c : {&a, &b}) {
    expect_event(*c, 1, "first");
    expect_event(*c, 2, "two words\nand a line");
    expect_event(*c, 3, "\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5");
  }
  ASSERT_EQ(publish(server.port(), "elsewhere", "only for other"), 1u);
  expect_event(other, 1, "only for other");
  auto stats = get_stats(server.port());
  EXPECT_EQ(stats["transports.ws.events_sent"], "7");
  EXPECT_EQ(stats["transports.ws.sessions_open"], "3");
  EXPECT_TRUE(a.close_cleanly());
  EXPECT_TRUE(b.close_cleanly());
  EXPECT_TRUE(other.close_cleanly());
  EXPECT_TRUE(wait_for_stat(server.port(), "transports.ws.sessions_open", 0));
}

TEST(WsPubSub, SinceReplaysExactlyTheMissedEventsThenLiveOnes) {
  TestServer server(quiet_config());
  for (int i = 1; i <= 5; ++i)
    ASSERT_EQ(publish(server.port(), "r", "e" + std::to_string(i)), std::uint64_t(i));
  WsTestClient c(server.port(), "/ws?channel=r&since=2");
  ASSERT_TRUE(c.upgraded());
  expect_event(c, 3, "e3");
  expect_event(c, 4, "e4");
  expect_event(c, 5, "e5");
  ASSERT_EQ(publish(server.port(), "r", "e6"), 6u);
  expect_event(c, 6, "e6");
  // since=0 replays everything; no since means live events only; a since beyond the newest id waits.
  WsTestClient all(server.port(), "/ws?channel=r&since=0");
  WsTestClient live(server.port(), "/ws?channel=r");
  WsTestClient ahead(server.port(), "/ws?channel=r&since=1000");
  ASSERT_TRUE(all.upgraded() && live.upgraded() && ahead.upgraded());
  for (int i = 1; i <= 6; ++i) expect_event(all, i, "e" + std::to_string(i));
  ASSERT_TRUE(wait_for_stat(server.port(), "connections.ws", 4));
  ASSERT_EQ(publish(server.port(), "r", "e7"), 7u);
  for (WsTestClient* x : {&c, &all, &live, &ahead}) expect_event(*x, 7, "e7");
}

TEST(WsPubSub, SinceOlderThanTheHistoryStartsWithAGapFrame) {
  ServerConfig config = quiet_config();
  config.hub.history = 4;
  TestServer server(config);
  for (int i = 1; i <= 10; ++i)
    ASSERT_EQ(publish(server.port(), "g", "e" + std::to_string(i)), std::uint64_t(i));
  for (auto [since, gap] : {std::pair<int, const char*>{2, "gap 3-6"}, {0, "gap 1-6"}, {5, "gap 6-6"}}) {
    SCOPED_TRACE(since);
    WsTestClient c(server.port(), "/ws?channel=g&since=" + std::to_string(since));
    ASSERT_TRUE(c.upgraded());
    auto f = c.read_frame();
    ASSERT_TRUE(f);
    EXPECT_EQ(f->b0, kFin | kText);
    EXPECT_EQ(f->payload, gap);
    for (int i = 7; i <= 10; ++i) expect_event(c, i, "e" + std::to_string(i));
  }
  // Retained history: no gap.
  WsTestClient c(server.port(), "/ws?channel=g&since=6");
  ASSERT_TRUE(c.upgraded());
  expect_event(c, 7, "e7");
}

TEST(WsPubSub, ReplayPausesOnBackpressureAndLosesNothing) {
  ServerConfig config = quiet_config();
  config.listen.connection_limits.high_watermark = 8 * 1024;  // the replay pauses very often
  TestServer server(config);
  const std::string body(2000, 'r');
  const int before = 300, during = 50;
  for (int i = 1; i <= before; ++i)
    ASSERT_EQ(publish(server.port(), "bp", body + std::to_string(i)), std::uint64_t(i));
  WsTestClient c(server.port(), "/ws?channel=bp&since=0");
  ASSERT_TRUE(c.upgraded());
  // While the replay is stuck behind our unread socket, more events are published.
  for (int i = before + 1; i <= before + during; ++i)
    ASSERT_EQ(publish(server.port(), "bp", body + std::to_string(i)), std::uint64_t(i));
  for (int i = 1; i <= before + during; ++i) expect_event(c, i, body + std::to_string(i));
  ASSERT_EQ(publish(server.port(), "bp", "live"), std::uint64_t(before + during + 1));
  expect_event(c, before + during + 1, "live");
  EXPECT_EQ(stat_value(server.port(), "transports.ws.dropped_slow"), 0u);
}

TEST(WsPubSub, TextFromAWebSocketReachesEveryTransportAndTheSender) {
  TestServer server(quiet_config());
  WsTestClient sender(server.port(), "/ws?channel=t");
  WsTestClient listener(server.port(), "/ws?channel=t");
  BlockingClient sse(server.port());
  ASSERT_TRUE(sender.upgraded() && listener.upgraded());
  auto head = open_stream(sse, "/sse?channel=t");
  ASSERT_TRUE(head);
  ASSERT_EQ(head->status, 200);
  ASSERT_TRUE(wait_for_stat(server.port(), "connections.ws", 2));
  ASSERT_TRUE(wait_for_stat(server.port(), "connections.sse", 1));

  ASSERT_TRUE(sender.send_frame(kFin | kText, "hello from ws"));
  expect_event(sender, 1, "hello from ws");
  expect_event(listener, 1, "hello from ws");
  EXPECT_TRUE(sse.read_until("id: 1\ndata: hello from ws\n\n"));
  auto poll = http_get(server.port(), "/poll?channel=t");
  ASSERT_TRUE(poll);
  EXPECT_EQ(poll->status, 200);
  EXPECT_EQ(poll->body, record(1, "hello from ws"));
  // A fragmented text message is published once, whole; an empty one publishes nothing.
  ASSERT_TRUE(sender.send_raw(sender.frame(kText, "frag") + sender.frame(kFin | kCont, "mented") +
                              sender.frame(kFin | kText, "")));
  expect_event(listener, 2, "fragmented");
  ASSERT_EQ(publish(server.port(), "t", "via http"), 3u);
  expect_event(listener, 3, "via http");
}

TEST(WsPubSub, BinaryMessageOnWsIsClosedWith1003) {
  TestServer server(quiet_config());
  WsTestClient c(server.port(), "/ws?channel=b");
  ASSERT_TRUE(c.upgraded());
  ASSERT_TRUE(c.send_frame(kFin | kBinary, "\x01\x02"));
  EXPECT_EQ(c.read_close_code(), 1003);
  // The session waits for our close; after it the server closes TCP.
  ASSERT_TRUE(c.send_close(1003));
  EXPECT_TRUE(c.closed_with_nothing_more());
  EXPECT_EQ(stat_value(server.port(), "events.published"), 0u);
}

TEST(WsPubSub, TextThatCouldNotFitASubscribersQueueIsRefusedWith1009) {
  ServerConfig config = quiet_config();
  config.listen.connection_limits.max_queued_bytes = 64 * 1024;
  TestServer server(config);
  WsTestClient listener(server.port(), "/ws?channel=big");
  WsTestClient sender(server.port(), "/ws?channel=big");
  ASSERT_TRUE(listener.upgraded() && sender.upgraded());
  ASSERT_TRUE(sender.send_frame(kFin | kText, std::string(32 * 1024, 'a')));  // half the bound: fine
  expect_event(listener, 1, std::string(32 * 1024, 'a'));
  // Only the header: refused before any of it is read, and nobody was dropped for it.
  ASSERT_TRUE(sender.send_raw(ws_header(kFin | kText, 32 * 1024 + 1, sender.next_mask())));
  EXPECT_EQ(sender.read_close_code(), 1009);
  ASSERT_EQ(publish(server.port(), "big", "still subscribed"), 2u);
  expect_event(listener, 2, "still subscribed");
  EXPECT_EQ(stat_value(server.port(), "transports.ws.dropped_slow"), 0u);
}

TEST(WsPubSub, AClientSendingGarbageDoesNotDisturbAnotherSubscriber) {
  TestServer server(quiet_config());
  WsTestClient good(server.port(), "/ws?channel=iso");
  ASSERT_TRUE(good.upgraded());
  const std::vector<std::pair<std::string, int>> bad_inputs = {
      {ws_frame(kFin | kText, "unmasked", nullptr), 1002},
      {std::string("\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF", 8), 1002},
      {ws_frame(kFin | kText, "\xC0\xAF", reinterpret_cast<const std::uint8_t*>("abcd")), 1007},
      {ws_frame(kFin | 0x40 | kText, "rsv", reinterpret_cast<const std::uint8_t*>("abcd")), 1002},
  };
  std::uint64_t id = 0;
  for (const auto& [bytes, code] : bad_inputs) {
    for (std::string_view target : {"/ws?channel=iso", "/echo"}) {
      ASSERT_EQ(publish(server.port(), "iso", "event " + std::to_string(id + 1)), id + 1);
      ++id;
      WsTestClient bad(server.port(), target);
      ASSERT_TRUE(bad.upgraded());
      ASSERT_TRUE(bad.send_raw(bytes));
      std::vector<WsFrame> before;
      EXPECT_EQ(bad.read_close_code(&before), code);
      EXPECT_TRUE(bad.closed_with_nothing_more());
    }
  }
  ASSERT_EQ(publish(server.port(), "iso", "last"), id + 1);
  for (std::uint64_t i = 1; i <= id; ++i) expect_event(good, i, "event " + std::to_string(i));
  expect_event(good, id + 1, "last");
  EXPECT_EQ(stat_value(server.port(), "transports.ws.protocol_errors"), bad_inputs.size() * 2);
}

TEST(WsPubSub, SlowConsumerIsDroppedAndCountedWhileOthersGetEverything) {
  ServerConfig config = quiet_config();
  config.listen.connection_limits.max_queued_bytes = 64 * 1024;
  config.listen.connection_limits.high_watermark = 16 * 1024;
  config.transports.get<WsConfig>().close_timeout_ms = 200;  // the stalled peer never drains its close frame
  TestServer server(config);
  StalledSocket slow(server.port());
  ASSERT_TRUE(slow.send(WsTestClient::upgrade_request("/ws?channel=slow")));  // and never reads again
  WsTestClient good(server.port(), "/ws?channel=slow");
  ASSERT_TRUE(good.upgraded());
  ASSERT_TRUE(wait_for_stat(server.port(), "connections.ws", 2));
  const std::string body(16 * 1024, 's');
  std::uint64_t id = 0;
  bool dropped = false;
  // Bounded by a count of events, not by time: the kernel buffers of the stalled socket fill after a few.
  while (!dropped && id < 2000) {
    ASSERT_EQ(publish(server.port(), "slow", body + std::to_string(id + 1)), id + 1);
    ++id;
    expect_event(good, id, body + std::to_string(id));
    if (id % 8 == 0) dropped = stat_value(server.port(), "transports.ws.dropped_slow") == 1;
  }
  ASSERT_TRUE(dropped);
  EXPECT_EQ(stat_value(server.port(), "dropped_slow_consumers"), 1u);
  EXPECT_TRUE(wait_for_stat(server.port(), "connections.ws", 1));
  // The others go on.
  ASSERT_EQ(publish(server.port(), "slow", "after the drop"), id + 1);
  expect_event(good, id + 1, "after the drop");
  EXPECT_EQ(stat_value(server.port(), "transports.ws.dropped_slow"), 1u);
}

TEST(WsPubSub, CloseAllThenShutdownRefusesNewUpgrades) {
  TestServer server(quiet_config());
  WsTestClient a(server.port(), "/ws?channel=x");
  WsTestClient e(server.port(), "/echo");
  ASSERT_TRUE(a.upgraded() && e.upgraded());
  ASSERT_TRUE(wait_for_stat(server.port(), "connections.ws", 2));
  auto& ws = [&]() -> WebSocketTransport& {
    for (const auto& t : server.server().transports())
      if (t->name() == "ws") return static_cast<WebSocketTransport&>(*t);
    throw std::logic_error("no ws transport");
  }();
  server.run_on_loop([&] { ws.close_all(4000, "bye"); });
  for (WsTestClient* c : {&a, &e}) {
    auto f = c->read_frame();
    ASSERT_TRUE(f);
    EXPECT_EQ(f->payload, ws_close_payload(4000, "bye"));
    ASSERT_TRUE(c->send_close(4000));  // our answer completes the handshake: the server closes TCP
    EXPECT_TRUE(c->closed_with_nothing_more());
  }
  // close_all keeps serving; shutdown refuses new WebSockets while plain HTTP still answers.
  WsTestClient again(server.port(), "/echo");
  EXPECT_TRUE(again.upgraded());
  server.run_on_loop([&] { ws.shutdown(); });
  EXPECT_EQ(again.read_close_code(), 1001);
  WsTestClient late(server.port(), "/echo");
  ASSERT_TRUE(late.response());
  EXPECT_EQ(late.response()->status, 503);
  auto poll = http_get(server.port(), "/poll");
  ASSERT_TRUE(poll);
  EXPECT_EQ(poll->status, 204);
}

TEST(WsKeepalive, PeersThatAnswerStayAndSilentPeersAreDropped) {
  ServerConfig config = TestServer::default_config();
  config.transports.get<WsConfig>().ping_interval_ms = 100;
  TestServer server(config);
  WsTestClient c(server.port(), "/echo");
  ASSERT_TRUE(c.upgraded());
  // Three pings answered: still open (the third ping proves it).
  for (int i = 0; i < 3; ++i) {
    auto f = c.read_frame();
    ASSERT_TRUE(f);
    EXPECT_EQ(f->b0, kFin | kPing);
    EXPECT_EQ(f->payload, "");
    ASSERT_TRUE(c.send_frame(kFin | kPong, f->payload));
  }
  // Now silent: at most the pings already on their way, then the server closes TCP without a close frame
  // (a peer that does not answer would not read one).
  for (;;) {
    auto f = c.read_frame();
    if (!f) break;
    EXPECT_EQ(f->b0, kFin | kPing);
  }
  EXPECT_TRUE(c.tcp().wait_closed());
  EXPECT_TRUE(c.tcp().buffer().empty());
  // The drop is counted where an operator looks: /stats.
  EXPECT_EQ(stat_value(server.port(), "transports.ws.dropped_silent"), 1u);
  EXPECT_EQ(stat_value(server.port(), "transports.ws.dropped_slow"), 0u);
}

}  // namespace
}  // namespace rtb::test
