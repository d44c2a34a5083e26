#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "harness/metrics/json.hpp"
#include "harness/scenario/header_profile.hpp"
#include "harness/scenario/load_run.hpp"
#include "harness/scenario/server_url.hpp"
#include "harness/scenario/transport_kind.hpp"
#include "tests/support/blocking_client.hpp"
#include "tests/support/test_server.hpp"
#include "transports/common/client_request.hpp"

namespace rtb {
namespace {

using test::TestServer;

LoadConfig round_trip_config(int port, TransportKind kind, std::string path, std::uint32_t pipeline) {
  LoadConfig c;
  c.url = fmt::format("http://127.0.0.1:{}{}", port, path);
  c.transport = kind;
  c.clients = 4;
  c.pipeline = pipeline;
  c.payload_bytes = 32;
  // No warm-up: every operation of the run is in the measure window, so the server's own counts must equal
  // the generator's exactly.
  c.warmup_s = 0;
  c.duration_s = 1;
  c.drain_s = 5;
  c.connect_rate = 1000;
  return c;
}

// The server's count of empty /poll answers, from /stats.
std::uint64_t server_empty_polls(int port) {
  auto response = test::http_get(port, "/stats");
  EXPECT_TRUE(response);
  if (!response) return 0;
  std::string error;
  auto json = parse_json(response->body, &error);
  EXPECT_TRUE(json) << error;
  if (!json) return 0;
  const Json& poll = (*json)["transports"]["poll"];
  EXPECT_TRUE(poll.contains("empty_responses"));
  return json_unsigned(poll, "empty_responses");
}

void expect_every_operation_answered_once(const LoadOutcome& o) {
  ASSERT_TRUE(o.ok) << o.error;
  const LoadResult& r = o.result;
  EXPECT_EQ(r.connected, 4u);
  EXPECT_GT(r.requests, 0u);
  EXPECT_EQ(r.expected, r.requests);
  EXPECT_EQ(r.delivered, r.expected);
  EXPECT_EQ(r.lost, 0u);
  EXPECT_EQ(r.duplicated, 0u);
  EXPECT_EQ(r.reordered, 0u);
  EXPECT_EQ(r.latency.count(), r.delivered);
  EXPECT_EQ(r.errors_total, 0u) << (r.error_examples.empty() ? "" : r.error_examples[0].second);
  EXPECT_EQ(r.unstamped_events, 0u);
  EXPECT_EQ(r.rate, 0.0);
  EXPECT_EQ(r.publish_via, "none");
  EXPECT_GT(r.p50_us, 0);
  EXPECT_LE(r.p50_us, r.p99_us);
  EXPECT_LE(r.p99_us, r.max_us);
  EXPECT_DOUBLE_EQ(r.requests_per_event, 1.0);
}

class HttpRoundTrips : public ::testing::TestWithParam<std::uint32_t> {};

TEST_P(HttpRoundTrips, CountsExactlyTheRequestsTheServerAnswered) {
  TestServer server;
  test::BlockingClient publisher(server.port());
  auto published = publisher.request("POST", "/publish?channel=rt", "x");
  ASSERT_TRUE(published);
  const std::string target = "/poll?channel=rt&since=" + published->body;
  const std::uint64_t before = server_empty_polls(server.port());
  auto o = run_load(round_trip_config(server.port(), TransportKind::http(), target, GetParam()));
  expect_every_operation_answered_once(o);
  ASSERT_TRUE(o.ok);
  const LoadResult& r = o.result;
  EXPECT_EQ(r.transport, "http");
  EXPECT_EQ(r.pipeline, GetParam());
  // Every request the generator made was one empty poll the server answered, no more, no fewer.
  EXPECT_EQ(server_empty_polls(server.port()) - before, r.requests);
  EXPECT_EQ(r.empty_responses, r.requests);
  EXPECT_EQ(r.responses_2xx, r.requests);
  EXPECT_EQ(r.responses_3xx, 0u);
  EXPECT_EQ(r.responses_4xx, 0u);
  // One request head, the same every time, and nothing else goes up.
  ClientOptions bare;
  bare.host_header = fmt::format("127.0.0.1:{}", server.port());
  const std::size_t head = build_get_request(bare, target, false).size();
  EXPECT_EQ(r.request_head_bytes, head);
  EXPECT_EQ(r.bytes_up, r.requests * head);
  EXPECT_DOUBLE_EQ(r.framing_bytes_up_per_event, 0.0);
  EXPECT_DOUBLE_EQ(r.payload_bytes_up_per_event, 0.0);
  EXPECT_GT(r.bytes_down, 0u);
  EXPECT_FALSE(std::isnan(r.gen_cpu_us_per_op));
}

INSTANTIATE_TEST_SUITE_P(Pipeline, HttpRoundTrips, ::testing::Values(1u, 4u),
                         [](const auto& info) { return fmt::format("pipeline{}", info.param); });

TEST(HttpRoundTrips, TheOpenLoopSendsWhatItsScheduleAsksNoMore) {
  TestServer server;
  test::BlockingClient publisher(server.port());
  auto published = publisher.request("POST", "/publish?channel=ol", "x");
  ASSERT_TRUE(published);
  const std::string target = "/poll?channel=ol&since=" + published->body;
  LoadConfig c = round_trip_config(server.port(), TransportKind::http(), target, 4);
  c.clients = 10;
  c.request_rate = 100;  // each connection every 100 ms, the ten 10 ms apart
  c.duration_s = 2;
  const std::uint64_t before = server_empty_polls(server.port());
  auto o = run_load(c);
  ASSERT_TRUE(o.ok) << o.error;
  const LoadResult& r = o.result;
  EXPECT_EQ(r.connected, 10u);
  // 2 s at 100/s: 200 scheduled, give or take one per connection at the window's edges. A closed loop would
  // have sent thousands.
  EXPECT_GE(r.requests, 190u);
  EXPECT_LE(r.requests, 210u);
  EXPECT_EQ(r.expected, r.requests);
  EXPECT_EQ(r.delivered, r.expected);
  EXPECT_EQ(r.lost, 0u);
  EXPECT_EQ(r.errors_total, 0u);
  EXPECT_EQ(server_empty_polls(server.port()) - before, r.requests);
}

TEST(HttpRoundTrips, StatusesAreCountedByClass) {
  TestServer server;
  // An unknown path: every answer is a 404, which is an answer (counted), not an error.
  auto o = run_load(round_trip_config(server.port(), TransportKind::http(), "/no-such-path", 2));
  expect_every_operation_answered_once(o);
  ASSERT_TRUE(o.ok);
  EXPECT_EQ(o.result.responses_4xx, o.result.requests);
  EXPECT_EQ(o.result.responses_2xx, 0u);
  EXPECT_EQ(o.result.empty_responses, 0u);
}

TEST(HttpRoundTrips, TheBrowserProfileIsInEveryRequest) {
  TestServer server;
  LoadConfig c = round_trip_config(server.port(), TransportKind::http(), "/poll?since=999999", 1);
  std::string error;
  c.headers = parse_header_profile("browser", &error).value();
  auto o = run_load(c);
  expect_every_operation_answered_once(o);
  ASSERT_TRUE(o.ok);
  EXPECT_GE(o.result.request_head_bytes, 700u);
  EXPECT_EQ(o.result.bytes_up, o.result.requests * o.result.request_head_bytes);
}

class EchoRoundTrips : public ::testing::TestWithParam<std::uint32_t> {};

TEST_P(EchoRoundTrips, EveryMessageIsEchoedOnceInOrder) {
  TestServer server;
  auto o = run_load(round_trip_config(server.port(), TransportKind::echo(), "", GetParam()));
  expect_every_operation_answered_once(o);
  ASSERT_TRUE(o.ok);
  const LoadResult& r = o.result;
  EXPECT_EQ(r.transport, "echo");
  EXPECT_EQ(r.payload_bytes, 32u);
  // Up: a 2-byte header, a 4-byte mask and the 32-byte message per round trip, exactly (no pings in 0.5 s).
  EXPECT_EQ(r.bytes_up, r.requests * (6 + 32));
  EXPECT_DOUBLE_EQ(r.payload_bytes_up_per_event, 32.0);
  // Down: echoes that arrived inside the window, each 2 + 32 bytes; the last ones come during the drain.
  EXPECT_LE(r.bytes_down, r.requests * (2 + 32));
  EXPECT_EQ(r.bytes_down % (2 + 32), 0u);
}

INSTANTIATE_TEST_SUITE_P(Pipeline, EchoRoundTrips, ::testing::Values(1u, 4u),
                         [](const auto& info) { return fmt::format("pipeline{}", info.param); });

TEST(EchoRoundTrips, AWarmUpIsNotMeasured) {
  TestServer server;
  LoadConfig c = round_trip_config(server.port(), TransportKind::echo(), "/echo", 2);
  c.warmup_s = 0.2;
  auto o = run_load(c);
  expect_every_operation_answered_once(o);
  ASSERT_TRUE(o.ok);
  EXPECT_GT(o.result.warmup_events, 0u);
}

TEST(EchoRoundTrips, APathWithoutAnEchoServerIsAClearError) {
  TestServer server;
  LoadConfig c = round_trip_config(server.port(), TransportKind::echo(), "/nothing-here", 1);
  c.connect_timeout_s = 2;
  auto o = run_load(c);
  EXPECT_FALSE(o.ok);
  EXPECT_NE(o.error.find("HTTP 404"), std::string::npos) << o.error;
}

TEST(RoundTripConfig, PublisherAndPipelineOptionsAreRefusedWhereTheyMeanNothing) {
  LoadConfig c;
  c.transport = *parse_transport("poll");
  c.pipeline = 2;
  EXPECT_NE(validate_load_config(c).find("--pipeline"), std::string::npos);
  c.transport = TransportKind::http();
  EXPECT_EQ(validate_load_config(c), "");
  c.publish_via = PublishVia::kHttp;
  EXPECT_NE(validate_load_config(c).find("--publish-via"), std::string::npos);
  c.publish_via = PublishVia::kAuto;
  c.connection_per_request = true;
  EXPECT_NE(validate_load_config(c).find("--connection-per-request"), std::string::npos);
  c.connection_per_request = false;
  c.pipeline = 0;
  EXPECT_NE(validate_load_config(c).find("--pipeline"), std::string::npos);
  c.pipeline = 1;
  c.request_rate = 1000;
  EXPECT_EQ(validate_load_config(c), "");
  c.transport = TransportKind::echo();
  EXPECT_NE(validate_load_config(c).find("--request-rate"), std::string::npos);
  c.transport = *parse_transport("sse");
  EXPECT_NE(validate_load_config(c).find("--request-rate"), std::string::npos);
}

TEST(RoundTripConfig, TheUrlMayCarryAQueryOnlyForTheRoundTripModes) {
  std::string error;
  EXPECT_FALSE(parse_server_url("http://127.0.0.1:8080/poll?since=3", &error));
  auto url = parse_server_url("http://127.0.0.1:8080/poll?since=3", &error, true);
  ASSERT_TRUE(url) << error;
  EXPECT_EQ(url->request_target, "/poll?since=3");
  EXPECT_EQ(url->path_prefix, "/poll");
  url = parse_server_url("http://127.0.0.1:8080", &error, true);
  ASSERT_TRUE(url) << error;
  EXPECT_EQ(url->request_target, "");
  url = parse_server_url("http://127.0.0.1:8080?a=1", &error, true);
  ASSERT_TRUE(url) << error;
  EXPECT_EQ(url->request_target, "/?a=1");
  EXPECT_EQ(url->port, 8080);
  EXPECT_FALSE(parse_server_url("http://127.0.0.1:8080/x#frag", &error, true));
}

}  // namespace
}  // namespace rtb
