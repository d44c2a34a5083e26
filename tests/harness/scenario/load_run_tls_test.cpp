// rtbench load over https/wss: every transport delivers every event once, and the TLS columns count what
// TCP carried (records and handshakes) apart from the application bytes.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>

#include "harness/scenario/load_run.hpp"
#include "harness/scenario/transport_kind.hpp"
#include "tests/harness/scenario/quick_load_config.hpp"
#include "tests/support/test_certs.hpp"
#include "tests/support/test_server.hpp"

namespace rtb {
namespace {

using test::TestCerts;
using test::TestServer;

ServerConfig tls_server_config(const TestCerts& certs) {
  ServerConfig config = TestServer::default_config();
  config.tls.cert_file = certs.cert();
  config.tls.key_file = certs.key();
  return config;
}

// The scenario tests' quick load at 50 events/s, over https with the test CA.
LoadConfig tls_load_config(const TestServer& server, const TestCerts& certs, TransportKind kind,
                           std::string channel) {
  LoadConfig c = test::quick_load_config(fmt::format("https://127.0.0.1:{}", server.tls_port()), kind,
                                         std::move(channel));
  c.tls_ca = certs.ca();
  c.rate = 50;
  return c;
}

double app_bytes_per_event_of(const LoadResult& r) {
  return static_cast<double>(r.bytes_up + r.bytes_down) / static_cast<double>(r.delivered);
}

class LoadRunOverTls : public ::testing::TestWithParam<TransportKind> {};

TEST_P(LoadRunOverTls, DeliversEveryEventOnceAndCountsTheRecordBytes) {
  TestCerts certs;
  TestServer server(tls_server_config(certs));
  const LoadOutcome o = run_load(tls_load_config(server, certs, GetParam(), "tls-load"));
  ASSERT_TRUE(o.ok) << o.error;
  const LoadResult& r = o.result;
  EXPECT_EQ(r.connected, 4u);
  EXPECT_EQ(r.expected, 50u * 4);
  EXPECT_EQ(r.delivered, r.expected);
  EXPECT_EQ(r.lost, 0u);
  EXPECT_EQ(r.duplicated, 0u);
  EXPECT_EQ(r.errors_total, 0u) << (r.error_examples.empty() ? "" : r.error_examples[0].second);
  EXPECT_EQ(r.tls, "TLSv1.3");
  EXPECT_EQ(r.tls_verified, 1u);
  // Every subscriber shook hands; the publisher's own context is not counted.
  EXPECT_GE(r.tls_handshakes, 4u);
  // Records wrap the application bytes: more in each direction that carried any, and the overhead column
  // is exactly the difference per event.
  EXPECT_GT(r.tls_bytes_down, r.bytes_down);
  EXPECT_GE(r.tls_bytes_up, r.bytes_up);
  ASSERT_GT(r.delivered, 0u);
  EXPECT_NEAR(r.tls_bytes_per_event,
              static_cast<double>(r.tls_bytes_up + r.tls_bytes_down) / static_cast<double>(r.delivered),
              1e-9);
  EXPECT_NEAR(r.tls_overhead_bytes_per_event, r.tls_bytes_per_event - app_bytes_per_event_of(r), 1e-6);
  EXPECT_GT(r.tls_overhead_bytes_per_event, 0);
}

INSTANTIATE_TEST_SUITE_P(Transports, LoadRunOverTls, ::testing::ValuesIn(all_transports()),
                         [](const ::testing::TestParamInfo<TransportKind>& info) {
                           return std::string(transport_name(info.param));
                         });

// A connection per poll pays a handshake per request: resumed ones skip the certificate, so they carry
// fewer bytes per request than full ones.
TEST(LoadRunOverTlsPerRequest, ResumedHandshakesCarryFewerBytesThanFullOnes) {
  TestCerts certs;
  TestServer server(tls_server_config(certs));
  auto per_request_run = [&](bool resume) {
    LoadConfig c = tls_load_config(server, certs, *parse_transport("poll"), resume ? "resumed" : "full");
    c.connection_per_request = true;
    c.poll_interval_ms = 50;
    c.tls_resume = resume;
    return run_load(c);
  };
  const LoadOutcome resumed = per_request_run(true);
  const LoadOutcome full = per_request_run(false);
  ASSERT_TRUE(resumed.ok) << resumed.error;
  ASSERT_TRUE(full.ok) << full.error;
  for (const LoadOutcome* o : {&resumed, &full}) {
    EXPECT_EQ(o->result.lost, 0u);
    EXPECT_EQ(o->result.delivered, o->result.expected);
    // One handshake per connection, one connection per request (the run's warm-up and drain add more).
    EXPECT_GE(o->result.tls_handshakes, o->result.requests);
  }
  EXPECT_EQ(full.result.tls_resumed, 0u);
  EXPECT_GT(resumed.result.tls_resumed, resumed.result.tls_handshakes / 2);
  auto tls_per_request = [](const LoadResult& r) {
    return static_cast<double>(r.tls_bytes_up + r.tls_bytes_down) / static_cast<double>(r.requests);
  };
  EXPECT_GT(tls_per_request(full.result), tls_per_request(resumed.result));
}

}  // namespace
}  // namespace rtb
