// What every subscriber client promises the load generator, whatever its transport: stop/start resumes
// from the last id with nothing lost or repeated, and a resume point older than the server's history
// yields one gap report and then every event still held, in order.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "harness/scenario/client_factory.hpp"
#include "tests/server/server_test_util.hpp"
#include "tests/support/client_loop.hpp"
#include "tests/support/event_sequence.hpp"
#include "tests/support/test_certs.hpp"
#include "transports/server/worker.hpp"

namespace rtb::test {
namespace {

class ClientContract : public ::testing::TestWithParam<TransportKind> {
 protected:
  std::unique_ptr<ClientSession> make(Loop& loop, ClientOptions options, RecordingEvents& got) {
    options.poll_interval_ms = 20;
    return make_client(GetParam(), loop, std::move(options), got, 0);
  }
};

// Every client is given `since`, so none depends on when its subscription reached the server (an SSE stream
// without Last-Event-ID starts at the live edge).
TEST_P(ClientContract, StopAndStartResumeFromTheLastId) {
  TestServer server;
  publish_range(server.port(), "restart", 1, 1);
  Loop loop(10);
  RecordingEvents got;
  ClientOptions options = loopback_options(server.port(), "restart");
  options.since = 1;
  auto client = make(loop, options, got);
  client->start();
  publish_range(server.port(), "restart", 2, 5);
  ASSERT_TRUE(run_until(loop, [&] { return got.events.size() >= 4; }));
  client->stop();
  ASSERT_TRUE(run_until(loop, [&] { return client->closed(); }));
  publish_range(server.port(), "restart", 6, 9);
  client->start();
  ASSERT_TRUE(run_until(loop, [&] { return got.events.size() >= 8; }));
  run_briefly(loop);  // room for a duplicate to show up
  expect_exactly(got, 2, 9);
  EXPECT_EQ(client->last_id(), 9u);
  EXPECT_TRUE(got.errors.empty());
  EXPECT_TRUE(got.gaps.empty());
  client->stop();
}

TEST_P(ClientContract, StartsAfterTheGivenIdAndReportsGaps) {
  ServerConfig config = TestServer::default_config();
  config.hub.history = 4;
  TestServer server(config);
  publish_range(server.port(), "since", 1, 10);
  Loop loop(10);
  RecordingEvents got;
  ClientOptions options = loopback_options(server.port(), "since");
  options.since = 2;
  auto client = make(loop, options, got);
  client->start();
  ASSERT_TRUE(run_until(loop, [&] { return got.events.size() >= 4; }));
  run_briefly(loop);
  // History holds 7..10: 3..6 are gone, reported once.
  ASSERT_EQ(got.gaps.size(), 1u);
  EXPECT_EQ(got.gaps[0], std::make_pair(std::uint64_t{3}, std::uint64_t{6}));
  expect_exactly(got, 7, 10);
  EXPECT_TRUE(got.errors.empty());
  client->stop();
}

// The same client over TLS (https, wss) to a server serving TLS beside plain HTTP, events published on the
// plain port: every event once and in order, and a stop/start that resumes (with the TLS session too).
TEST_P(ClientContract, DeliversEveryEventInOrderOverTlsAndResumes) {
  TestCerts certs;
  ServerConfig config = TestServer::default_config();
  config.tls.cert_file = certs.cert();
  config.tls.key_file = certs.key();
  config.tls_port = 0;
  TestServer server(config);
  std::string error;
  auto tls = TlsContext::client({.ca_file = certs.ca()}, error);
  ASSERT_NE(tls, nullptr) << error;
  publish_range(server.port(), "tls", 1, 1);
  Loop loop(10);
  RecordingEvents got;
  ClientOptions options = loopback_options(server.tls_port(), "tls");
  options.since = 1;
  options.tls = ClientTls{tls.get(), "127.0.0.1"};
  auto client = make(loop, options, got);
  client->start();
  publish_range(server.port(), "tls", 2, 20);
  ASSERT_TRUE(run_until(loop, [&] { return got.events.size() >= 19; }));
  client->stop();
  ASSERT_TRUE(run_until(loop, [&] { return client->closed(); }));
  publish_range(server.port(), "tls", 21, 30);
  client->start();
  ASSERT_TRUE(run_until(loop, [&] { return got.events.size() >= 29; }));
  run_briefly(loop);
  expect_exactly(got, 2, 30);
  EXPECT_TRUE(got.errors.empty());
  EXPECT_TRUE(got.gaps.empty());
  client->stop();
  ASSERT_TRUE(run_until(loop, [&] { return client->closed(); }));
  const TlsCounters& c = tls->counters();
  EXPECT_GE(c.handshakes, 2u);
  EXPECT_GE(c.resumed, 1u);  // the reconnect after stop/start resumed the session
  EXPECT_EQ(c.handshake_failures, 0u);
}

INSTANTIATE_TEST_SUITE_P(Transports, ClientContract, ::testing::ValuesIn(all_transports()),
                         [](const ::testing::TestParamInfo<TransportKind>& info) {
                           return std::string(transport_name(info.param));
                         });

}  // namespace
}  // namespace rtb::test
