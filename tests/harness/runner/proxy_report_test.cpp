#include "harness/runner/proxy_report.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace rtb {
namespace {

RunRecord measured(const std::string& point, const std::string& transport, double p50_us, std::uint64_t lost,
                   std::uint64_t errors, std::uint64_t connects, int repetition = 1) {
  RunRecord r;
  r.point = point;
  r.transport = transport;
  r.run_id = point + "-" + transport + "-" + std::to_string(repetition);
  r.repetition = repetition;
  LoadResult res;
  res.transport = transport;
  res.delivered = 100 - lost;
  res.expected = 100;
  res.lost = lost;
  res.errors_total = errors;
  res.connects = connects;
  res.p50_us = p50_us;
  res.p99_us = p50_us * 2;
  res.proxy_cpu_us_per_op = point == "direct" ? NAN : 7.5;
  r.result = res;
  return r;
}

RunRecord without_result(const std::string& point, const std::string& transport, const std::string& error) {
  RunRecord r;
  r.point = point;
  r.transport = transport;
  r.run_id = point + "-" + transport + "-1";
  r.load_exit_status = 2;
  r.error = "rtbench load exited with status 2; its log: " + error;
  return r;
}

Suite two_row_suite() {
  Suite s;
  s.name = "t";
  SuitePoint direct;
  direct.tag = "direct";
  direct.transports = {*parse_transport("longpoll"), *parse_transport("ws")};
  SuitePoint nginx = direct;
  nginx.tag = "nginx";
  nginx.note = "through nginx";
  nginx.baseline = "direct";
  nginx.intermediary = IntermediaryOptions{};
  SuitePoint broken = nginx;
  broken.tag = "broken";
  broken.baseline.clear();
  broken.errors_expected = true;
  SuitePoint killed = broken;
  killed.tag = "killed";
  s.points = {direct, nginx, broken, killed};
  s.failure_rows = {{"no upgrade", "broken", "nginx", "forward it", direct.transports},
                    {"killed", "killed", "", "none needed", direct.transports}};
  return s;
}

TEST(ProxyReport, AddedLatencyIsThePointsMedianMinusItsBaselines) {
  const Suite s = two_row_suite();
  std::vector<RunRecord> records = {measured("direct", "longpoll", 1000, 0, 0, 0),
                                    measured("nginx", "longpoll", 1400, 0, 0, 0),
                                    measured("nginx", "longpoll", 1600, 0, 0, 0, 2)};
  const std::string out = render_intermediary_section(group_cases(records, &s), &s);
  ASSERT_NE(out.find("### `nginx`: through nginx"), std::string::npos) << out;
  // p50 1.0 ms direct, median 1.5 ms through nginx: 0.50 added; p99 2.0 → 3.0: 1.00 added.
  EXPECT_NE(out.find("| longpoll | 0.50 | 1.00 | 7.50 |"), std::string::npos) << out;
  EXPECT_EQ(out.find("| ws |"), std::string::npos) << "ws has no runs: no row\n" << out;
}

TEST(ProxyReport, HaproxyL4AndL7SideBySideWithTheirRatio) {
  Suite s = two_row_suite();
  s.points[1].tag = "l4";
  s.points[1].intermediary->kind = IntermediaryKind::kHaproxyTcp;
  SuitePoint l7 = s.points[1];
  l7.tag = "l7";
  l7.intermediary->kind = IntermediaryKind::kHaproxyHttp;
  s.points.push_back(l7);
  std::vector<RunRecord> records = {measured("direct", "ws", 1000, 0, 0, 0),
                                    measured("l4", "ws", 1100, 0, 0, 0), measured("l7", "ws", 1200, 0, 0, 0)};
  records[2].result->proxy_cpu_us_per_op = 15;
  const std::string out = render_intermediary_section(group_cases(records, &s), &s);
  ASSERT_NE(out.find("### HAProxy L4 (`l4`) vs L7 (`l7`)"), std::string::npos) << out;
  EXPECT_NE(out.find("| ws | 7.50 | 15.00 | 2.00 |"), std::string::npos) << out;
}

TEST(ProxyReport, NoIntermediaryPointsNoSection) {
  Suite s = two_row_suite();
  s.points.resize(1);
  s.failure_rows.clear();
  std::vector<RunRecord> records = {measured("direct", "ws", 1000, 0, 0, 0)};
  const auto cases = group_cases(records, &s);
  EXPECT_EQ(render_intermediary_section(cases, &s), "");
  EXPECT_EQ(render_failure_table(cases, &s), "");
  EXPECT_TRUE(unverified_fixes(cases, &s).empty());
}

TEST(ProxyReport, FailureTableSaysWhatTheClientsSawAndWhetherTheFixHeld) {
  const Suite s = two_row_suite();
  std::vector<RunRecord> records = {
      measured("nginx", "longpoll", 1000, 0, 0, 0),
      measured("nginx", "ws", 1000, 0, 0, 0),
      measured("broken", "longpoll", 1000, 0, 0, 0),
      without_result("broken", "ws", "ws: HTTP 400 instead of 101 | from the proxy"),
      measured("killed", "longpoll", 1000, 0, 3, 20),
      measured("killed", "ws", 1000, 2, 3, 20),
  };
  const auto cases = group_cases(records, &s);
  const std::string out = render_failure_table(cases, &s);
  // The generator's words, without the runner's wrapping, and no '|' to break the table.
  EXPECT_NE(out.find("no result: ws: HTTP 400 instead of 101 / from the proxy"), std::string::npos) << out;
  EXPECT_NE(out.find("3 errors"), std::string::npos) << out;
  EXPECT_NE(out.find("20 reconnects"), std::string::npos) << out;
  // The killed row has nothing to fix: it holds where nothing was lost, and not for ws, which lost 2.
  EXPECT_EQ(unverified_fixes(cases, &s), std::vector<std::string>{"killed (ws)"});
  EXPECT_NE(out.find("**no**"), std::string::npos) << out;
}

TEST(ProxyReport, AFixWithAnErrorOrAReconnectIsNotVerified) {
  const Suite s = two_row_suite();
  std::vector<RunRecord> records = {
      measured("broken", "longpoll", 1000, 0, 0, 0), without_result("broken", "ws", "refused"),
      measured("nginx", "longpoll", 1000, 0, 0, 1),  measured("nginx", "ws", 1000, 0, 1, 0),
      measured("killed", "longpoll", 1000, 0, 0, 0), measured("killed", "ws", 1000, 0, 0, 0),
  };
  EXPECT_EQ(unverified_fixes(group_cases(records, &s), &s),
            (std::vector<std::string>{"no upgrade (longpoll)", "no upgrade (ws)"}));
}

TEST(ProxyReport, ARowWhoseProxyIsNotInstalledIsSkippedNotFailed) {
  const Suite s = two_row_suite();
  RunRecord skipped = without_result("nginx", "ws", "");
  skipped.error = "skipped: nginx is not installed (Debian package nginx-light)";
  std::vector<RunRecord> records = {measured("broken", "ws", 1000, 0, 0, 0), skipped,
                                    measured("killed", "ws", 1000, 0, 0, 0)};
  EXPECT_TRUE(run_skipped(records[1]));
  EXPECT_FALSE(run_skipped(without_result("nginx", "ws", "refused")));
  EXPECT_TRUE(unverified_fixes(group_cases(records, &s), &s).empty());
}

TEST(ProxyReport, AFixThatWasNotRunIsNotVerified) {
  const Suite s = two_row_suite();
  std::vector<RunRecord> records = {measured("broken", "ws", 1000, 0, 0, 0)};
  EXPECT_EQ(unverified_fixes(group_cases(records, &s), &s), std::vector<std::string>{"no upgrade (ws)"});
}

}  // namespace
}  // namespace rtb
