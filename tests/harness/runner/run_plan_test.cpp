#include "harness/runner/run_plan.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "harness/runner/suite_catalog.hpp"

namespace rtb {
namespace {

bool has(const std::vector<std::string>& args, const std::string& flag) {
  return std::find(args.begin(), args.end(), flag) != args.end();
}

std::string after(const std::vector<std::string>& args, const std::string& flag) {
  auto it = std::find(args.begin(), args.end(), flag);
  return it == args.end() || it + 1 == args.end() ? std::string() : *(it + 1);
}

TEST(PlanRuns, RepetitionsAreTheOuterLoopAndIdsAreUnique) {
  const Suite& s = *find_suite("churn");
  auto plan = plan_runs(s, 3);
  ASSERT_EQ(plan.size(), suite_run_count(s, 3));
  std::set<std::string> ids;
  for (std::size_t i = 0; i < plan.size(); ++i) {
    EXPECT_EQ(plan[i].index, i);
    ids.insert(plan[i].id);
    if (i > 0) {
      EXPECT_GE(plan[i].repetition, plan[i - 1].repetition);
    }
    EXPECT_GT(plan[i].estimated_s, 0);
  }
  EXPECT_EQ(ids.size(), plan.size());
  EXPECT_EQ(plan.front().id, "001-c200-i100-keepalive-poll-r1");
  EXPECT_EQ(plan.back().repetition, 3);
}

TEST(LoadArguments, CarryTheServerPidTheFilesAndThePointsOptions) {
  SuitePoint p;
  p.tag = "x";
  p.load.clients = 123;
  p.load.rate = 2.5;
  p.load.poll_interval_ms = 250;
  p.load.connection_per_request = true;
  PlannedRun run;
  run.id = "001-x-poll-r1";
  const RunFiles f = run_files("out", run);
  EXPECT_EQ(f.json, "out/points/001-x-poll-r1.json");
  EXPECT_EQ(f.spectrum, "out/spectra/001-x-poll-r1.hgrm");
  auto a = load_arguments(p, *parse_transport("poll"), RunTarget{"http://127.0.0.1:5", {}, 42, {}, 0}, f,
                          "out/points/load_rows.csv");
  EXPECT_EQ(a.front(), "load");
  EXPECT_EQ(after(a, "--url"), "http://127.0.0.1:5");
  EXPECT_EQ(after(a, "--transport"), "poll");
  EXPECT_EQ(after(a, "--clients"), "123");
  EXPECT_EQ(after(a, "--rate"), "2.5");
  EXPECT_EQ(after(a, "--poll-interval-ms"), "250");
  EXPECT_EQ(after(a, "--server-pid"), "42");
  EXPECT_EQ(after(a, "--json"), f.json);
  EXPECT_EQ(after(a, "--spectrum"), f.spectrum);
  EXPECT_EQ(after(a, "--csv"), "out/points/load_rows.csv");
  EXPECT_TRUE(has(a, "--connection-per-request"));
  EXPECT_TRUE(has(a, "--quiet"));

  p.load.connection_per_request = false;
  EXPECT_FALSE(has(load_arguments(p, *parse_transport("sse"), RunTarget{"u", {}, 0, {}, 0}, f, ""),
                   "--connection-per-request"));
  EXPECT_FALSE(
      has(load_arguments(p, *parse_transport("sse"), RunTarget{"u", {}, 0, {}, 0}, f, ""), "--server-pid"));
}

TEST(ServeArguments, PickAFreePortAndAppendThePointsOptions) {
  SuitePoint p;
  p.server_args = {"--history", "65536"};
  auto a = serve_arguments(p);
  EXPECT_EQ(a.front(), "serve");
  EXPECT_EQ(after(a, "--port"), "0");
  EXPECT_EQ(after(a, "--host"), "127.0.0.1");
  EXPECT_EQ(after(a, "--history"), "65536");
}

TEST(TlsPointArguments, ServeGetsTheCertificateAndLoadTheCa) {
  SuitePoint p;
  p.tls = true;
  const TlsFiles files{"/c/ca.pem", "/c/server.pem", "/c/server.key"};
  auto serve = serve_arguments(p, &files);
  EXPECT_EQ(after(serve, "--tls-cert"), "/c/server.pem");
  EXPECT_EQ(after(serve, "--tls-key"), "/c/server.key");
  const RunFiles f = run_files("out", PlannedRun{});
  auto load = load_arguments(p, *parse_transport("ws"), RunTarget{"https://127.0.0.1:1", {}, 0, {}, 0}, f, "",
                             &files);
  EXPECT_EQ(after(load, "--tls-ca"), "/c/ca.pem");
  // The verify step and the metadata serve the point over plain HTTP; a plain point never gets TLS.
  EXPECT_FALSE(has(serve_arguments(p), "--tls-cert"));
  p.tls = false;
  EXPECT_FALSE(has(serve_arguments(p, &files), "--tls-cert"));
  EXPECT_FALSE(has(load_arguments(p, *parse_transport("ws"), RunTarget{"u", {}, 0, {}, 0}, f, "", &files),
                   "--tls-ca"));
}

}  // namespace
}  // namespace rtb
