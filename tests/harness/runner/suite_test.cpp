#include "harness/runner/suite.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "harness/runner/run_plan.hpp"
#include "harness/runner/suite_catalog.hpp"
#include "harness/scenario/load_config.hpp"
#include "harness/scenario/transport_kind.hpp"

namespace rtb {
namespace {

TEST(SuiteCatalog, HasEverySuiteTheIssueNames) {
  for (const char* name : {"quick", "kaazing", "notifications", "feed", "chat", "game", "progress", "idle",
                           "churn", "tls", "proxy", "full", "tiny"}) {
    EXPECT_NE(find_suite(name), nullptr) << name;
  }
  EXPECT_EQ(find_suite("nope"), nullptr);
}

TEST(SuiteCatalog, EverySuiteIsWithinTheMachineLimits) {
  const MachineLimits limits;
  for (const auto& suite : suite_catalog()) {
    EXPECT_TRUE(check_suite(suite, limits).empty())
        << suite.name << ": " << check_suite(suite, limits).front();
    for (const auto& p : suite.points) {
      EXPECT_LE((p.load.clients + p.load.procs - 1) / p.load.procs, 19'000u) << suite.name << "/" << p.tag;
      EXPECT_LE(p.load.connect_batch, 4096u) << suite.name << "/" << p.tag;
      EXPECT_GT(p.load.duration_s, 0) << suite.name << "/" << p.tag;
    }
  }
}

// Every registered transport, however many the table holds.
TEST(SuiteCatalog, EverySuiteCoversEveryTransport) {
  const std::vector<TransportKind> all = all_transports();
  const std::set<TransportKind> expected(all.begin(), all.end());
  for (const auto& suite : suite_catalog()) {
    // The scale suite holds idle connections: a short poller holds none between its polls.
    if (suite.name == "scale") continue;
    std::set<TransportKind> seen;
    for (const auto& p : suite.points) seen.insert(p.transports.begin(), p.transports.end());
    EXPECT_EQ(seen, expected) << suite.name;
  }
}

TEST(SuiteCatalog, QuickFitsInTwoMinutesAndTinyInSeconds) {
  EXPECT_LT(estimate_suite_seconds(*find_suite("quick"), 3), 120);
  EXPECT_LT(estimate_suite_seconds(*find_suite("tiny"), 1), 15);
  EXPECT_EQ(suite_run_count(*find_suite("tiny"), 1), all_transports().size());  // one run per transport
}

TEST(SuiteCatalog, KaazingMeasuresOneTenAndAHundredThousandClientsWithEveryProfile) {
  const Suite& s = *find_suite("kaazing");
  std::set<std::pair<std::uint32_t, std::string>> seen;
  for (const auto& p : s.points) {
    EXPECT_EQ(p.load.rate, 1);
    EXPECT_EQ(p.load.poll_interval_ms, 1000u);
    seen.insert({p.load.clients, p.load.headers.name()});
  }
  EXPECT_EQ(seen.size(), 9u);
  for (std::uint32_t clients : {1000u, 10000u, 100000u}) {
    for (const char* profile : {"minimal", "browser", "chromium"}) {
      EXPECT_TRUE(seen.count({clients, profile})) << clients << " " << profile;
    }
  }
}

TEST(CheckSuite, CountsConnectionsPerGeneratorProcessAndPerServerWorker) {
  Suite s;
  s.name = "big";
  SuitePoint p;
  p.tag = "c100000";
  p.transports = {*parse_transport("ws")};
  p.load.clients = 100'000;
  p.load.procs = 6;
  p.load.sources = *parse_sources("3", nullptr);
  p.server_args = {"--workers", "7"};
  s.points.push_back(p);
  EXPECT_TRUE(check_suite(s).empty()) << check_suite(s).front();
  s.points[0].server_args = {"--workers", "5"};
  ASSERT_EQ(check_suite(s).size(), 1u);
  EXPECT_NE(check_suite(s).front().find("22000 per process"), std::string::npos) << check_suite(s).front();
  EXPECT_EQ(serve_workers(s.points[0]), 5u);
  EXPECT_TRUE(serve_needs_redis(s.points[0]));
  s.points[0].server_args = {"--workers", "7", "--broker", "redis://127.0.0.1:6379"};
  EXPECT_FALSE(serve_needs_redis(s.points[0]));
}

TEST(SuiteCatalog, ScaleReachesAMillionConnectionsWithinEveryProcessLimit) {
  const Suite& s = *find_suite("scale");
  EXPECT_EQ(s.points.back().load.clients, 1'000'000u);
  EXPECT_TRUE(check_suite(s).empty());
  for (const auto& p : s.points) {
    EXPECT_GE(serve_workers(p), 2u) << p.tag;
    EXPECT_TRUE(serve_needs_redis(p)) << p.tag;
    EXPECT_NEAR(p.load.rate * p.load.duration_s, 1.0, 1e-9) << p.tag;  // one broadcast
    EXPECT_FALSE(p.load.socket_counts) << p.tag;
    // The warm-up event (0.5 s in) is outside the window, the measured one (a period later) inside.
    EXPECT_GT(p.load.warmup_s, 0.5) << p.tag;
    EXPECT_LE(p.load.warmup_s, 0.5 + p.load.duration_s) << p.tag;
    // Pings the generator must answer (or be dropped): 5,000 a second at most, both keepalives set alike.
    const auto& args = p.server_args;
    const auto ping = std::find(args.begin(), args.end(), "--ws-ping-interval-ms");
    const auto heartbeat = std::find(args.begin(), args.end(), "--sse-heartbeat-ms");
    ASSERT_TRUE(ping != args.end() && ping + 1 != args.end()) << p.tag;
    ASSERT_TRUE(heartbeat != args.end() && heartbeat + 1 != args.end()) << p.tag;
    EXPECT_EQ(*(ping + 1), *(heartbeat + 1)) << p.tag;
    EXPECT_LE(p.load.clients * 1000.0 / std::stod(*(ping + 1)), 5000.0) << p.tag;
    // Long polls renew as rarely as the others' keepalives, and the client waits longer than the server
    // holds.
    EXPECT_EQ(std::to_string(p.load.longpoll_timeout_ms), *(ping + 1)) << p.tag;
    EXPECT_GT(p.load.request_timeout_ms, p.load.longpoll_timeout_ms) << p.tag;
    const auto held = std::find(args.begin(), args.end(), "--longpoll-max-timeout-ms");
    ASSERT_TRUE(held != args.end() && held + 1 != args.end()) << p.tag;
    EXPECT_EQ(*(held + 1), *(ping + 1)) << p.tag;
    // The publisher's connection idles a whole period: the server must keep it longer.
    const auto keep = std::find(args.begin(), args.end(), "--keep-alive-timeout-ms");
    ASSERT_TRUE(keep != args.end() && keep + 1 != args.end()) << p.tag;
    EXPECT_GT(std::stod(*(keep + 1)), 1000 * (p.load.duration_s + p.load.warmup_s)) << p.tag;
  }
}

TEST(CheckSuite, NamesEveryBrokenLimit) {
  Suite s;
  s.name = "bad";
  SuitePoint p;
  p.tag = "too-big";
  p.load.clients = 25'000;
  p.load.connect_batch = 5000;
  s.points.push_back(p);
  p.tag = "too-big";  // duplicate
  p.load.clients = 10;
  p.load.connect_batch = 10;
  s.points.push_back(p);
  SuitePoint churn;
  churn.tag = "Bad Tag";
  churn.transports = {*parse_transport("poll")};
  churn.load.clients = 1000;
  churn.load.poll_interval_ms = 10;
  churn.load.connection_per_request = true;
  s.points.push_back(churn);

  auto problems = check_suite(s);
  auto mentions = [&problems](const std::string& needle) {
    return std::any_of(problems.begin(), problems.end(),
                       [&needle](const std::string& p) { return p.find(needle) != std::string::npos; });
  };
  EXPECT_TRUE(mentions("25000 clients per generator process is above 19000")) << problems.size();
  // The server side: one worker would hold them all.
  EXPECT_TRUE(mentions("27500 per process, above 19000: add \"--workers\", \"2\"")) << problems.size();
  EXPECT_TRUE(mentions("somaxconn"));
  EXPECT_TRUE(mentions("duplicate tag"));
  EXPECT_TRUE(mentions("the tag must be"));
  EXPECT_TRUE(mentions("new connections per second"));
}

TEST(CheckSuite, RefusesAnEmptySuiteAndAPointWithoutTransports) {
  Suite s;
  s.name = "empty";
  EXPECT_FALSE(check_suite(s).empty());
  SuitePoint p;
  p.tag = "none";
  p.transports.clear();
  s.points.push_back(p);
  EXPECT_FALSE(check_suite(s).empty());
}

TEST(EstimateRunSeconds, CountsPhasesConnectAndAPollDrain) {
  SuitePoint p;
  p.load.clients = 5000;
  p.load.connect_rate = 5000;
  p.load.warmup_s = 2;
  p.load.duration_s = 10;
  p.load.poll_interval_ms = 1000;
  p.load.rate = 1;
  const double poll = estimate_run_seconds(p, *parse_transport("poll"));
  const double ws = estimate_run_seconds(p, *parse_transport("ws"));
  EXPECT_GT(poll, 13);  // 2 + 10 + 1 s connecting + a 1 s poll drain
  EXPECT_LT(poll, 16);
  EXPECT_NEAR(poll - ws, 0.9, 1e-9);
}

TEST(SuiteCatalog, TlsSuiteSetsEveryTlsPointBesideAPlainOne) {
  const Suite* s = find_suite("tls");
  ASSERT_NE(s, nullptr);
  std::set<std::string> tags;
  for (const auto& p : s->points) tags.insert(p.tag);
  std::size_t tls_points = 0;
  for (const auto& p : s->points) {
    if (!p.tls) continue;
    ++tls_points;
    ASSERT_FALSE(p.baseline.empty()) << p.tag;
    EXPECT_TRUE(tags.contains(p.baseline)) << p.tag;
  }
  EXPECT_GE(tls_points, 4u);
  // Full and resumed handshakes, and an idle point holding OpenSSL's buffers.
  auto has_point = [&](auto pred) { return std::any_of(s->points.begin(), s->points.end(), pred); };
  EXPECT_TRUE(has_point(
      [](const SuitePoint& p) { return p.tls && p.load.connection_per_request && !p.load.tls_resume; }));
  EXPECT_TRUE(has_point(
      [](const SuitePoint& p) { return p.tls && p.load.connection_per_request && p.load.tls_resume; }));
  EXPECT_TRUE(has_point([](const SuitePoint& p) {
    return p.tls && std::find(p.server_args.begin(), p.server_args.end(), "--tls-release-buffers") !=
                        p.server_args.end();
  }));
}

TEST(SuiteCatalog, ProxySuitePutsEachProxyBesideDirectAndRunsEveryFailureBrokenAndFixed) {
  const Suite* s = find_suite("proxy");
  ASSERT_NE(s, nullptr);
  std::set<IntermediaryKind> measured;
  for (const auto& p : s->points) {
    if (p.intermediary && p.baseline == "direct") measured.insert(p.intermediary->kind);
  }
  EXPECT_EQ(measured.size(), kIntermediaryKinds.size()) << "every proxy measured against the direct point";
  ASSERT_GE(s->failure_rows.size(), 6u);
  std::set<std::string> tags;
  for (const auto& p : s->points) tags.insert(p.tag);
  bool killed = false;
  for (const auto& row : s->failure_rows) {
    EXPECT_TRUE(tags.contains(row.broken)) << row.setup;
    EXPECT_TRUE(row.fixed.empty() || tags.contains(row.fixed)) << row.setup;
    for (const auto& p : s->points) {
      if (p.tag != row.broken) continue;
      killed = killed || p.intermediary_kill_at_s > 0;
      EXPECT_TRUE(p.errors_expected) << p.tag;
    }
  }
  EXPECT_TRUE(killed) << "a proxy killed mid-run";
  EXPECT_TRUE(check_suite(*s).empty());
}

TEST(CheckSuite, AFailureRowMustNameRunPointsAndAProxyMustHoldItsClients) {
  Suite s = *find_suite("tiny");
  s.failure_rows.push_back({"setup", "nope", "", "fix", all_transports()});
  s.points[0].intermediary = IntermediaryOptions{};
  s.points[0].intermediary->max_connections = 1;
  auto problems = check_suite(s);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_NE(problems[0].find("fewer than"), std::string::npos) << problems[0];
  EXPECT_NE(problems[1].find("names 'nope'"), std::string::npos) << problems[1];
}

TEST(CheckSuite, ABaselineMustBeAnotherPointOfTheSuite) {
  Suite s = *find_suite("tiny");
  s.points[0].baseline = "nope";
  auto problems = check_suite(s);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("baseline 'nope'"), std::string::npos) << problems[0];
  s.points[0].baseline = s.points[0].tag;
  problems = check_suite(s);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("itself"), std::string::npos) << problems[0];
}

}  // namespace
}  // namespace rtb
