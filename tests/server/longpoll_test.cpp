// /longpoll over loopback: immediate answers, parked polls woken by a publish (one answer per loop turn),
// timeouts, parameter errors, clients that leave while parked, keep-alive, pipelining and shutdown.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "tests/server/push_test_util.hpp"
#include "transports/longpoll/longpoll_transport.hpp"
#include "transports/server/worker.hpp"

namespace rtb::test {
namespace {

constexpr std::string_view kParked = "transports.longpoll.sessions_open";

std::string longpoll_request(std::string_view query) {
  return "GET /longpoll?" + std::string(query) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
}

TEST(LongPollServer, AnswersAtOnceWhenEventsExist) {
  TestServer server;
  ASSERT_EQ(publish(server.port(), "now", "a"), 1u);
  ASSERT_EQ(publish(server.port(), "now", "b"), 2u);
  auto r = http_get(server.port(), "/longpoll?channel=now&since=0&timeout=60000");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("content-type"), "text/event-stream; charset=utf-8");
  EXPECT_EQ(r->header("cache-control"), "no-cache");
  EXPECT_EQ(r->body, record(1, "a") + record(2, "b"));
  auto one = http_get(server.port(), "/longpoll?channel=now&since=1");
  ASSERT_TRUE(one);
  EXPECT_EQ(one->body, record(2, "b"));
  EXPECT_EQ(stat_value(server.port(), std::string(kParked)), 0u);
}

TEST(LongPollServer, ParkedPollIsAnsweredWithThePublishedEvent) {
  TestServer server;
  BlockingClient client(server.port());
  ASSERT_TRUE(client.send(longpoll_request("channel=park&since=0&timeout=60000")));
  ASSERT_TRUE(wait_for_stat(server.port(), std::string(kParked), 1));
  ASSERT_EQ(publish(server.port(), "park", "hello"), 1u);
  auto r = client.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("cache-control"), "no-cache");
  EXPECT_EQ(r->body, record(1, "hello"));
  EXPECT_TRUE(wait_for_stat(server.port(), std::string(kParked), 0));
  EXPECT_EQ(stat_value(server.port(), "transports.longpoll.events_sent"), 1u);
}

TEST(LongPollServer, EventsPublishedInOneLoopTurnComeInOneAnswer) {
  TestServer server;
  BlockingClient client(server.port());
  ASSERT_TRUE(client.send(longpoll_request("channel=turn&since=0&timeout=60000")));
  ASSERT_TRUE(wait_for_stat(server.port(), std::string(kParked), 1));
  server.run_on_loop([&] {
    Hub& hub = server.server().hub();
    hub.publish("turn", "one");
    hub.publish("turn", "two");
    hub.publish("turn", "three");
  });
  auto r = client.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, record(1, "one") + record(2, "two") + record(3, "three"));
  // Nothing else was sent on the connection, and it is still usable: the next poll times out as a 204.
  EXPECT_TRUE(client.buffer().empty());
  ASSERT_TRUE(client.send(longpoll_request("channel=turn&since=3&timeout=200")));
  auto empty = client.read_response();
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->status, 204);
}

TEST(LongPollServer, TimeoutAnswers204) {
  TestServer server;
  auto r = http_get(server.port(), "/longpoll?channel=quiet&since=0&timeout=200");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(r->header("cache-control"), "no-cache");
  EXPECT_TRUE(r->body.empty());
  EXPECT_EQ(stat_value(server.port(), "transports.longpoll.empty_responses"), 1u);
  EXPECT_EQ(stat_value(server.port(), std::string(kParked)), 0u);
}

TEST(LongPollServer, TimeoutAboveTheMaximumIsCapped) {
  ServerConfig config = TestServer::default_config();
  config.transports.get<LongPollConfig>().max_timeout_ms = 200;
  TestServer server(config);
  // Without the cap this would wait 1000 s, far past the client's 5 s read deadline.
  auto r = http_get(server.port(), "/longpoll?channel=cap&timeout=1000000");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  // The default is capped the same way.
  auto d = http_get(server.port(), "/longpoll?channel=cap");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->status, 204);
}

TEST(LongPollServer, InvalidParametersAre400WithOneLine) {
  TestServer server;
  for (std::string_view query : {"channel=x&timeout=0", "channel=x&timeout=abc", "channel=x&timeout=-5",
                                 "channel=x&timeout=", "channel=x&since=-1", "channel=bad%20name",
                                 "channel=x&since=99999999999999999999999"}) {
    auto r = http_get(server.port(), "/longpoll?" + std::string(query));
    ASSERT_TRUE(r) << query;
    EXPECT_EQ(r->status, 400) << query;
    ASSERT_FALSE(r->body.empty()) << query;
    EXPECT_EQ(r->body.find('\n'), r->body.size() - 1) << query;
  }
  auto timeout = http_get(server.port(), "/longpoll?timeout=0");
  ASSERT_TRUE(timeout);
  EXPECT_EQ(timeout->body, "timeout must be a whole number of milliseconds, 1 to 120000\n");
  auto post = http_post(server.port(), "/longpoll", "x");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(stat_value(server.port(), std::string(kParked)), 0u);
}

TEST(LongPollServer, ClientThatLeavesWhileParkedIsReleased) {
  TestServer server;
  auto client = std::make_unique<BlockingClient>(server.port());
  ASSERT_TRUE(client->send(longpoll_request("channel=gone&timeout=60000")));
  ASSERT_TRUE(wait_for_stat(server.port(), std::string(kParked), 1));
  // Open now: the parked client and the /stats request itself.
  EXPECT_TRUE(wait_for_stat(server.port(), "connections.open", 2));
  client.reset();
  EXPECT_TRUE(wait_for_stat(server.port(), std::string(kParked), 0));
  EXPECT_TRUE(wait_for_stat(server.port(), "connections.open", 1));
  // A later publish finds no subscriber left from the poll.
  ASSERT_EQ(publish(server.port(), "gone", "x"), 1u);
  EXPECT_EQ(stat_value(server.port(), "events.deliveries"), 0u);
  EXPECT_EQ(stat_value(server.port(), "transports.longpoll.events_sent"), 0u);
}

TEST(LongPollServer, KeepAliveCarriesConsecutivePolls) {
  TestServer server;
  BlockingClient client(server.port());
  ASSERT_EQ(publish(server.port(), "ka", "first"), 1u);
  auto a = client.request("GET", "/longpoll?channel=ka&since=0&timeout=60000");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->body, record(1, "first"));
  EXPECT_TRUE(a->header("connection").empty());
  ASSERT_TRUE(client.send(longpoll_request("channel=ka&since=1&timeout=60000")));
  ASSERT_TRUE(wait_for_stat(server.port(), std::string(kParked), 1));
  ASSERT_EQ(publish(server.port(), "ka", "second"), 2u);
  auto b = client.read_response();
  ASSERT_TRUE(b);
  EXPECT_EQ(b->body, record(2, "second"));
}

TEST(LongPollServer, PipelinedSecondPollIsAnsweredAfterTheFirst) {
  TestServer server;
  BlockingClient client(server.port());
  ASSERT_TRUE(client.send(longpoll_request("channel=pipe&since=0&timeout=60000") +
                          longpoll_request("channel=pipe&since=1&timeout=60000")));
  ASSERT_TRUE(wait_for_stat(server.port(), std::string(kParked), 1));
  ASSERT_EQ(publish(server.port(), "pipe", "one"), 1u);
  auto first = client.read_response();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->body, record(1, "one"));
  // The second poll now parks in turn (its since is 1): it was not answered with the first.
  ASSERT_TRUE(wait_for_stat(server.port(), "transports.longpoll.sessions_total", 2));
  ASSERT_TRUE(wait_for_stat(server.port(), std::string(kParked), 1));
  EXPECT_TRUE(client.buffer().empty());
  ASSERT_EQ(publish(server.port(), "pipe", "two"), 2u);
  auto second = client.read_response();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->body, record(2, "two"));
}

TEST(LongPollServer, SinceBeyondTheNewestWaitsForTheNextEvent) {
  TestServer server;
  ASSERT_EQ(publish(server.port(), "ahead", "a"), 1u);
  BlockingClient client(server.port());
  ASSERT_TRUE(client.send(longpoll_request("channel=ahead&since=50&timeout=60000")));
  ASSERT_TRUE(wait_for_stat(server.port(), std::string(kParked), 1));
  ASSERT_EQ(publish(server.port(), "ahead", "b"), 2u);
  auto r = client.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, record(2, "b"));
}

TEST(LongPollServer, AnswersAreCappedByTheBatchLimitAndReportGaps) {
  ServerConfig config = TestServer::default_config();
  config.hub.history = 4;
  config.batch.max_events = 2;
  TestServer server(config);
  for (int i = 1; i <= 6; ++i)
    ASSERT_EQ(publish(server.port(), "cap", "e" + std::to_string(i)), std::uint64_t(i));
  auto r = http_get(server.port(), "/longpoll?channel=cap&since=0");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->header("x-rtb-gap"), "1-2");
  EXPECT_EQ(r->body, "event: gap\ndata: 1-2\n\n" + record(3, "e3") + record(4, "e4"));
  auto rest = http_get(server.port(), "/longpoll?channel=cap&since=4");
  ASSERT_TRUE(rest);
  EXPECT_EQ(rest->body, record(5, "e5") + record(6, "e6"));
}

TEST(LongPollServer, ShutdownAnswersParkedPollsWith204) {
  auto server = std::make_unique<TestServer>();
  BlockingClient a(server->port());
  BlockingClient b(server->port());
  ASSERT_TRUE(a.send(longpoll_request("channel=bye&timeout=60000")));
  ASSERT_TRUE(b.send(longpoll_request("channel=bye2&timeout=60000")));
  ASSERT_TRUE(wait_for_stat(server->port(), std::string(kParked), 2));
  server.reset();  // graceful shutdown, then the loop ends
  for (BlockingClient* c : {&a, &b}) {
    auto r = c->read_response();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 204);
    EXPECT_TRUE(c->wait_closed());
  }
}

}  // namespace
}  // namespace rtb::test
