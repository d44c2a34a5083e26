// A Worker destroyed while connections are still open (a loop stopped by a second signal) closes them first:
// connections, parked polls and streams refer to the server's context, transports and hub.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include "tests/server/push_test_util.hpp"
#include "transports/net/loop.hpp"
#include "transports/server/worker.hpp"

namespace rtb::test {
namespace {

TEST(ServerLifetime, DestroyingTheServerClosesOpenConnectionsAndSessions) {
  Loop loop;
  auto server = std::make_unique<Worker>(loop, TestServer::default_config());
  ASSERT_EQ(server->start(), 0);
  // The kernel completes these connects from the listen backlog; the loop accepts them below.
  BlockingClient stream(server->port());
  BlockingClient parked(server->port());
  BlockingClient idle(server->port());
  ASSERT_TRUE(stream.send("GET /sse?channel=life HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(parked.send("GET /longpoll?channel=life&timeout=60000 HTTP/1.1\r\nHost: x\r\n\r\n"));
  const TransportStats* sse = nullptr;
  const TransportStats* longpoll = nullptr;
  for (const auto& t : server->transports()) {
    if (t->name() == "sse") sse = &t->stats();
    if (t->name() == "longpoll") longpoll = &t->stats();
  }
  ASSERT_NE(sse, nullptr);
  ASSERT_NE(longpoll, nullptr);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while ((sse->sessions_open != 1 || longpoll->sessions_open != 1 || loop.counters().connections_open != 3) &&
         std::chrono::steady_clock::now() < deadline) {
    loop.run(UV_RUN_NOWAIT);
  }
  ASSERT_EQ(sse->sessions_open, 1u);
  ASSERT_EQ(longpoll->sessions_open, 1u);
  server.reset();  // no shutdown(), loop not run to the end: the destructor must clean up on its own
  EXPECT_EQ(loop.counters().connections_open, 0u);
  for (BlockingClient* c : {&stream, &parked, &idle}) EXPECT_TRUE(c->wait_closed());
}

}  // namespace
}  // namespace rtb::test
