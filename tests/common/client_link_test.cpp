// ClientLink, the skeleton every client shares, against real sockets on 127.0.0.1 (port 0): the connect
// deadline, the deadline of what the client waits for, retries after refused connects with the owner's
// delay, failures with their reason, the server's close, and nothing reported after stop().
#include "transports/common/client_link.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/client_loop.hpp"
#include "tests/support/test_listener.hpp"
#include "transports/common/reconnect_backoff.hpp"

namespace rtb::test {
namespace {

// The smallest client: connects, records what the link tells it, retries by connecting again.
class RecordingOwner final : public ClientLinkOwner {
 public:
  RecordingOwner(Loop& loop, int port, std::uint32_t connect_timeout_ms)
      : options(loopback_options(port, "c")),
        link(loop, options.server, options.source, options.tls, tunnel_to, connect_timeout_ms, counters,
             *this) {}

  void on_link_up() override {
    ++ups;
    if (deadline_after_up_ms > 0) link.expect_within(deadline_after_up_ms);
  }
  void on_link_data(char* data, std::size_t len) override { received.append(data, len); }
  void on_link_eof() override { ++eofs; }
  void on_link_down() override { ++downs; }
  void on_link_deadline() override { ++deadlines; }
  void on_link_retry() override {
    ++retries;
    link.connect();
  }
  std::uint64_t link_retry_delay_ms() override {
    ++delays_asked;
    return retry_delay_ms;
  }
  void on_link_failure(ClientErrorKind kind, std::string_view detail) override {
    failures.push_back({kind, std::string(detail)});
  }
  std::size_t failures_of(ClientErrorKind kind) const {
    std::size_t n = 0;
    for (const auto& f : failures) n += f.kind == kind ? 1 : 0;
    return n;
  }

  struct Failure {
    ClientErrorKind kind;
    std::string detail;
  };
  ClientOptions options;
  std::string tunnel_to;  // set before connect(): the listener plays a forward proxy
  ClientWireCounters counters;
  ClientLink link;
  std::uint64_t retry_delay_ms = 20;
  std::uint64_t deadline_after_up_ms = 0;
  int ups = 0, eofs = 0, downs = 0, deadlines = 0, retries = 0, delays_asked = 0;
  std::string received;
  std::vector<Failure> failures;
};

TEST(ClientLink, StartsStoppedAndDoesNothingUntilStarted) {
  Loop loop(1);
  TestListener server(8);
  RecordingOwner owner(loop, server.port(), 1000);
  EXPECT_TRUE(owner.link.stopped());
  EXPECT_TRUE(owner.link.closed());
  owner.link.connect();  // stopped: no-op
  EXPECT_FALSE(owner.link.is_open());
  owner.link.retry_in(0);
  EXPECT_FALSE(owner.link.retry_pending());
}

TEST(ClientLink, ConnectsCountsAndCarriesBytesBothWays) {
  Loop loop(1);
  TestListener server(8);
  RecordingOwner owner(loop, server.port(), 5000);
  owner.link.start();
  owner.link.connect();
  ASSERT_TRUE(run_until(loop, [&] { return owner.ups == 1; }));
  EXPECT_TRUE(owner.link.is_up());
  EXPECT_EQ(owner.counters.connects, 1u);
  owner.link.cancel_deadline();
  const std::string first = "GET / HTTP/1.1\r\n\r\n", second = "GET /again HTTP/1.1\r\n\r\n";
  owner.link.send_request_head(first);
  owner.link.send_request_head(SharedBuffer::copy_of(second));
  EXPECT_EQ(owner.counters.requests, 2u);
  EXPECT_EQ(owner.counters.header_bytes_up, first.size() + second.size());

  int peer = -1;
  ASSERT_TRUE(run_until(loop, [&] { return (peer = server.accept_one()) >= 0; }));
  std::string got;
  ASSERT_TRUE(run_until(loop, [&] {
    TestListener::read_some(peer, got);
    return got.size() >= first.size() + second.size();
  }));
  EXPECT_EQ(got, first + second);
  TestListener::send_all(peer, "answer");
  ASSERT_TRUE(run_until(loop, [&] { return owner.received == "answer"; }));
  EXPECT_TRUE(owner.failures.empty());
  owner.link.stop();
  EXPECT_TRUE(owner.link.closed());
}

TEST(ClientLink, RefusedConnectsAreReportedAndRetriedWithTheOwnersDelay) {
  Loop loop(1);
  RecordingOwner owner(loop, TestListener::closed_port(), 5000);
  owner.link.start();
  owner.link.connect();
  ASSERT_TRUE(run_until(loop, [&] { return owner.failures.size() >= 3; }));
  EXPECT_EQ(owner.failures_of(ClientErrorKind::kRefused), owner.failures.size());
  EXPECT_FALSE(owner.failures[0].detail.empty());  // the reason (libuv's text for ECONNREFUSED)
  // Each failure asked the owner for the pause once, and each pause ended in one retry.
  EXPECT_GE(owner.retries, 2);
  EXPECT_GE(owner.delays_asked, owner.retries);
  EXPECT_EQ(owner.ups, 0);
  EXPECT_EQ(owner.downs, 0);  // a connect that failed is not a connection that went down
  EXPECT_EQ(owner.counters.connects, 0u);
  owner.link.stop();
  EXPECT_TRUE(owner.link.closed());
}

TEST(ClientLink, AConnectThatHangsFailsAtTheConnectDeadlineAndIsRetried) {
  Loop loop(1);
  TestListener server(0);
  ASSERT_TRUE(server.fill_backlog());
  RecordingOwner owner(loop, server.port(), 50);
  owner.retry_delay_ms = 10'000;  // one attempt is enough to look at
  owner.link.start();
  owner.link.connect();
  ASSERT_TRUE(run_until(loop, [&] { return !owner.failures.empty(); }));
  EXPECT_EQ(owner.failures[0].kind, ClientErrorKind::kTimeout);
  EXPECT_NE(owner.failures[0].detail.find("not connected"), std::string::npos) << owner.failures[0].detail;
  EXPECT_FALSE(owner.link.is_open());  // given up: the socket is closed
  EXPECT_TRUE(owner.link.retry_pending());
  EXPECT_EQ(owner.delays_asked, 1);
  EXPECT_EQ(owner.ups, 0);
  owner.link.stop();
  EXPECT_FALSE(owner.link.retry_pending());
}

TEST(ClientLink, TheDeadlineAfterConnectingIsTheOwnersToHandle) {
  Loop loop(1);
  TestListener server(8);  // completes the handshake and never answers
  RecordingOwner owner(loop, server.port(), 5000);
  owner.deadline_after_up_ms = 30;
  owner.link.start();
  owner.link.connect();
  ASSERT_TRUE(run_until(loop, [&] { return owner.deadlines == 1; }));
  // The link leaves the connection alone: what a missed answer means is the client's protocol.
  EXPECT_TRUE(owner.link.is_up());
  EXPECT_TRUE(owner.failures.empty());
  EXPECT_FALSE(owner.link.retry_pending());
  owner.link.drop(ClientErrorKind::kTimeout, "no answer");
  EXPECT_FALSE(owner.link.is_open());
  ASSERT_EQ(owner.failures.size(), 1u);
  EXPECT_EQ(owner.failures[0].kind, ClientErrorKind::kTimeout);
  EXPECT_EQ(owner.failures[0].detail, "no answer");
  EXPECT_TRUE(owner.link.retry_pending());
  ASSERT_TRUE(run_until(loop, [&] { return owner.ups == 2; }));  // the retry connected again
  EXPECT_EQ(owner.downs, 0);                                     // our own close is never reported back
  owner.link.stop();
}

TEST(ClientLink, TheServersCloseIsReportedOnceAsDown) {
  Loop loop(1);
  TestListener server(8);
  RecordingOwner owner(loop, server.port(), 5000);
  owner.link.start();
  owner.link.connect();
  ASSERT_TRUE(run_until(loop, [&] { return owner.ups == 1; }));
  owner.link.expect_within(30);  // a deadline goes with its connection
  ASSERT_TRUE(run_until(loop, [&] { return server.accept_one() >= 0; }));
  server.close_accepted();
  ASSERT_TRUE(run_until(loop, [&] { return owner.downs == 1; }));
  EXPECT_EQ(owner.eofs, 1);
  EXPECT_FALSE(owner.link.is_up());
  EXPECT_FALSE(owner.link.is_open());
  run_briefly(loop);
  EXPECT_EQ(owner.deadlines, 0);
  EXPECT_TRUE(owner.failures.empty());  // the owner decides whether a close is a failure
  owner.link.stop();
}

TEST(ClientLink, RetryLaterKeepsAPendingRetryAndRetryInReplacesIt) {
  Loop loop(1);
  TestListener server(8);
  RecordingOwner owner(loop, server.port(), 5000);
  owner.link.start();
  owner.retry_delay_ms = 60'000;
  owner.link.retry_later();
  owner.link.retry_later();  // covered by the pending one
  EXPECT_EQ(owner.delays_asked, 1);
  owner.link.retry_in(0);
  ASSERT_TRUE(run_until(loop, [&] { return owner.retries == 1; }));
  EXPECT_FALSE(owner.link.retry_pending());
  owner.link.stop();
}

TEST(ClientLink, NothingIsReportedOrRetriedAfterStop) {
  Loop loop(1);
  RecordingOwner owner(loop, TestListener::closed_port(), 5000);
  owner.link.start();
  owner.link.connect();
  owner.link.stop();
  run_briefly(loop);
  EXPECT_TRUE(owner.failures.empty());
  EXPECT_EQ(owner.retries, 0);
  owner.link.fail(ClientErrorKind::kReset, "after stop");
  owner.link.retry_later();
  EXPECT_TRUE(owner.failures.empty());
  EXPECT_FALSE(owner.link.retry_pending());
  EXPECT_TRUE(owner.link.closed());
}

TEST(ClientLink, BeginStopKeepsTheConnectionAndItsDeadlineButReportsNothing) {
  Loop loop(1);
  TestListener server(8);
  RecordingOwner owner(loop, server.port(), 5000);
  owner.link.start();
  owner.link.connect();
  ASSERT_TRUE(run_until(loop, [&] { return owner.ups == 1; }));
  owner.link.begin_stop();
  owner.link.expect_within(20);  // e.g. the time a clean close is given
  EXPECT_TRUE(owner.link.is_up());
  EXPECT_FALSE(owner.link.closed());
  ASSERT_TRUE(run_until(loop, [&] { return owner.deadlines == 1; }));
  owner.link.drop(ClientErrorKind::kTimeout, "close not answered");
  EXPECT_TRUE(owner.failures.empty());
  EXPECT_FALSE(owner.link.retry_pending());
  EXPECT_TRUE(owner.link.closed());
}

TEST(ReconnectBackoff, DoublesUpToTheMaximumWithJitterInTheUpperHalf) {
  ReconnectBackoff backoff(50, 5000);
  const std::uint64_t ceilings[] = {50, 100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000};
  for (std::uint64_t ceiling : ceilings) {
    EXPECT_EQ(ReconnectBackoff(backoff).next_ms(0), ceiling / 2);        // the lowest draw
    EXPECT_EQ(ReconnectBackoff(backoff).next_ms(ceiling / 2), ceiling);  // the highest draw
    backoff.next_ms(12345);
  }
  backoff.reset();
  EXPECT_EQ(backoff.next_ms(0), 25u);
}

}  // namespace
}  // namespace rtb::test

namespace rtb::test {
namespace {

// The listener plays a forward proxy: the link's first bytes must be the CONNECT request, and the link is up
// only once the proxy answered 2xx.
std::string accept_connect_request(Loop& loop, TestListener& proxy, int& peer) {
  std::string got;
  if (!run_until(loop, [&] { return (peer = proxy.accept_one()) >= 0; })) return "no connection";
  run_until(loop, [&] {
    TestListener::read_some(peer, got);
    return got.find("\r\n\r\n") != std::string::npos;
  });
  return got;
}

// A link asked to tunnel to 127.0.0.1:8080 through a test proxy, its CONNECT request read by the proxy
// (`request`), and the proxy's end of the connection (`peer`) left to answer it. No retry within a test.
struct TunnelAsked {
  Loop loop{1};
  TestListener proxy{8};
  RecordingOwner owner{loop, proxy.port(), 5000};
  int peer = -1;
  std::string request;
  TunnelAsked() {
    owner.retry_delay_ms = 10'000;
    owner.tunnel_to = "127.0.0.1:8080";
    owner.link.start();
    owner.link.connect();
    request = accept_connect_request(loop, proxy, peer);
  }
};

TEST(ClientLinkTunnel, IsUpOnlyAfterTheProxyAgreesAndThenCarriesBytesBothWays) {
  Loop loop(1);
  TestListener proxy(8);
  RecordingOwner owner(loop, proxy.port(), 5000);
  owner.tunnel_to = "127.0.0.1:8080";
  owner.link.start();
  owner.link.connect();
  int peer = -1;
  EXPECT_EQ(accept_connect_request(loop, proxy, peer),
            "CONNECT 127.0.0.1:8080 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n");
  // Connected to the proxy, but not yet through it: nothing of the client may go out.
  EXPECT_EQ(owner.ups, 0);
  EXPECT_EQ(owner.link.write_copy("early"), WriteResult::kDropped);
  // The answer and the server's first bytes in one segment: the latter reach the client, after up.
  TestListener::send_all(peer, "HTTP/1.1 200 Connection established\r\n\r\nhello");
  ASSERT_TRUE(run_until(loop, [&] { return owner.ups == 1 && owner.received == "hello"; }));
  owner.link.cancel_deadline();
  owner.link.write_copy("through");
  std::string got;
  ASSERT_TRUE(run_until(loop, [&] {
    TestListener::read_some(peer, got);
    return got == "through";
  }));
  EXPECT_TRUE(owner.failures.empty());
  owner.link.stop();
}

TEST(ClientLinkTunnel, AProxyThatRefusesIsAFailedConnectInTheProxysWords) {
  TunnelAsked t;
  RecordingOwner& owner = t.owner;
  TestListener::send_all(t.peer, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(run_until(t.loop, [&] { return !owner.failures.empty(); }));
  EXPECT_EQ(owner.failures[0].kind, ClientErrorKind::kRefused);
  EXPECT_EQ(owner.failures[0].detail, "the proxy refused CONNECT 127.0.0.1:8080: 403 Forbidden");
  EXPECT_EQ(owner.ups, 0);
  EXPECT_EQ(owner.downs, 0);
  EXPECT_EQ(owner.counters.connects, 0u);
  EXPECT_TRUE(owner.link.retry_pending());
  owner.link.stop();
}

TEST(ClientLinkTunnel, AnAnswerThatIsNotHttpOrNeverEndsOrIsCutIsAFailedConnect) {
  struct Case {
    std::string answer;
    bool close_after;
    std::string detail;
  };
  const std::vector<Case> cases = {
      {"SSH-2.0-OpenSSH_9.2\r\n\r\n", false, "the proxy's answer to CONNECT 127.0.0.1:8080 is not HTTP"},
      {"HTTP/1.1 200 OK\r\n" + std::string(ConnectTunnel::kMaxAnswerHead, 'x'), false,
       "the proxy's answer to CONNECT 127.0.0.1:8080 has no end of head within 8192 bytes"},
      {"HTTP/1.1 200 OK\r\n", true,
       "the proxy closed the connection before answering CONNECT 127.0.0.1:8080"},
  };
  for (const Case& c : cases) {
    TunnelAsked t;
    RecordingOwner& owner = t.owner;
    TestListener::send_all(t.peer, c.answer);
    if (c.close_after) t.proxy.close_accepted();
    ASSERT_TRUE(run_until(t.loop, [&] { return !owner.failures.empty(); })) << c.detail;
    EXPECT_EQ(owner.failures[0].detail, c.detail);
    EXPECT_EQ(owner.ups, 0);
    owner.link.stop();
  }
}

TEST(ClientLinkTunnel, AProxyThatIsNotThereIsNamed) {
  Loop loop(1);
  RecordingOwner owner(loop, TestListener::closed_port(), 5000);
  owner.retry_delay_ms = 10'000;
  owner.tunnel_to = "127.0.0.1:8080";
  owner.link.start();
  owner.link.connect();
  ASSERT_TRUE(run_until(loop, [&] { return !owner.failures.empty(); }));
  EXPECT_EQ(owner.failures[0].kind, ClientErrorKind::kRefused);
  EXPECT_EQ(owner.failures[0].detail.rfind("cannot connect to the proxy: ", 0), 0u)
      << owner.failures[0].detail;
  owner.link.stop();
}

}  // namespace
}  // namespace rtb::test
