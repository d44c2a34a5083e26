// End to end: `rtbench run --suite tiny` as a user runs it, then the results folder as a user reads it.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "harness/metrics/json.hpp"
#include "harness/process/child_process.hpp"
#include "harness/proxies/intermediary.hpp"
#include "harness/runner/results_csv.hpp"
#include "tests/harness/runner/test_paths.hpp"
#include "transports/table/transport_table.hpp"

namespace rtb {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string binary() {
  std::string path = test::rtbench_binary();
  return fs::exists(path) ? path : std::string();
}

fs::path make_temp_dir() {
  std::string pattern = (fs::temp_directory_path() / "rtb_run_XXXXXX").string();
  char* made = ::mkdtemp(pattern.data());
  return made == nullptr ? fs::path() : fs::path(made);
}

// The `name` cells of the first Markdown table after `heading` in a README: "| `name` | meaning |".
std::vector<std::string> documented_columns(const fs::path& readme, const std::string& heading) {
  std::istringstream in(slurp(readme));
  std::vector<std::string> names;
  std::string line;
  bool in_section = false;
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0) {
      if (in_section) break;
      in_section = line == heading;
      continue;
    }
    if (!in_section || line.rfind("| `", 0) != 0) continue;
    std::size_t end = line.find('`', 3);
    if (end != std::string::npos) names.push_back(line.substr(3, end - 3));
  }
  return names;
}

bool python_has_matplotlib() {
  return std::system("/usr/bin/python3 -c 'import matplotlib' >/dev/null 2>&1") == 0;
}

// A PNG's width and height from its IHDR chunk.
std::pair<std::uint32_t, std::uint32_t> png_size(const fs::path& path) {
  std::string b = slurp(path);
  if (b.size() < 24 || b.compare(1, 3, "PNG") != 0) return {0, 0};
  auto be32 = [&b](std::size_t at) {
    return (std::uint32_t(std::uint8_t(b[at])) << 24) | (std::uint32_t(std::uint8_t(b[at + 1])) << 16) |
           (std::uint32_t(std::uint8_t(b[at + 2])) << 8) | std::uint32_t(std::uint8_t(b[at + 3]));
  };
  return {be32(16), be32(20)};
}

TEST(RunSuiteSmoke, TinySuiteEndToEnd) {
  const std::string rtbench = binary();
  ASSERT_FALSE(rtbench.empty()) << test::rtbench_binary() << " is not built";
  ASSERT_TRUE(fs::exists(rtbench)) << rtbench;
  const fs::path dir = make_temp_dir();
  ASSERT_FALSE(dir.empty());
  const fs::path out = dir / "tiny";
  const std::string command = rtbench + " run --suite tiny --out " + out.string() + " --repeat 1 > " +
                              (dir / "run.log").string() + " 2>&1";
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status)) << command;
  ASSERT_EQ(WEXITSTATUS(status), 0) << slurp(dir / "run.log");

  // results.csv: every documented column, one row per transport, nothing lost.
  std::string suite, error;
  auto records = read_results_csv((out / "results.csv").string(), &suite, &error);
  ASSERT_TRUE(records) << error;
  EXPECT_EQ(suite, "tiny");
  std::istringstream csv(slurp(out / "results.csv"));
  std::string header_line;
  std::getline(csv, header_line);
  const auto header = split_csv_line(header_line);
  EXPECT_EQ(header, results_csv_header());
  const std::set<std::string> columns(header.begin(), header.end());
  const std::string source = test::source_dir();
  auto generator_docs = documented_columns(fs::path(source) / "harness/scenario/README.md", "## CSV columns");
  auto runner_docs =
      documented_columns(fs::path(source) / "harness/runner/README.md", "## results.csv columns");
  EXPECT_GT(generator_docs.size(), 50u);
  EXPECT_EQ(runner_docs.size(), runner_columns().size());
  for (const auto& c : generator_docs) EXPECT_TRUE(columns.count(c)) << "documented column missing: " << c;
  for (const auto& c : runner_docs) EXPECT_TRUE(columns.count(c)) << "documented column missing: " << c;

  std::set<std::string> transports;
  for (const auto& r : *records) {
    ASSERT_TRUE(r.result);
    transports.insert(r.transport);
    EXPECT_EQ(r.result->lost, 0u) << r.run_id;
    EXPECT_GT(r.result->delivered, 0u) << r.run_id;
    EXPECT_EQ(r.result->connected, r.result->clients) << r.run_id;
    EXPECT_EQ(r.load_exit_status, 0) << r.run_id;
    EXPECT_TRUE(fs::exists(out / "points" / (r.run_id + ".json"))) << r.run_id;
    EXPECT_GT(fs::file_size(out / "spectra" / (r.run_id + ".hgrm")), 0u) << r.run_id;
  }
  // One run per registered transport.
  std::set<std::string> registered;
  for (const TransportModule* m : transport_table()) registered.insert(std::string(m->name));
  EXPECT_EQ(transports, registered);
  // The verify line names every transport's path, from the table.
  const std::string run_log = slurp(dir / "run.log");
  for (const std::string& t : registered) {
    EXPECT_NE(run_log.find("/" + t), std::string::npos) << t << " missing from: " << run_log;
  }
  EXPECT_NE(run_log.find("checks passed (/stats, /publish, /poll"), std::string::npos) << run_log;

  // metadata.json: JSON with the facts a reader needs.
  auto meta = parse_json(slurp(out / "metadata.json"), &error);
  ASSERT_TRUE(meta) << error;
  for (const char* key : {"git_commit", "command_line", "host", "system", "pinning", "start_time", "end_time",
                          "measurement_note", "verify", "runs", "points"}) {
    EXPECT_TRUE(meta->contains(key)) << key;
  }
  EXPECT_EQ((*meta)["runs"].size(), transport_table().size());

  const std::string report = slurp(out / "report.md");
  EXPECT_NE(report.find("# rtbench results: suite `tiny`"), std::string::npos);
  for (const std::string& t : registered) EXPECT_NE(report.find("| " + t + " |"), std::string::npos) << t;

  if (!python_has_matplotlib()) {
    GTEST_SKIP()
        << "/usr/bin/python3 has no matplotlib (apt-get install python3-matplotlib): plots not checked";
  }
  int png = 0, svg = 0;
  for (const auto& e : fs::directory_iterator(out / "plots")) {
    EXPECT_GT(fs::file_size(e.path()), 1000u) << e.path();
    if (e.path().extension() == ".png") {
      ++png;
      EXPECT_EQ(png_size(e.path()), (std::pair<std::uint32_t, std::uint32_t>{1920, 1080})) << e.path();
      EXPECT_TRUE(fs::exists(fs::path(e.path()).replace_extension(".svg"))) << e.path();
    }
    if (e.path().extension() == ".svg") ++svg;
  }
  EXPECT_GE(png, 4) << slurp(out / "logs" / "plot.log");
  EXPECT_EQ(png, svg);
  EXPECT_TRUE(fs::exists(out / "plots" / "latency_spectrum.png"));
  EXPECT_TRUE(fs::exists(out / "plots" / "bytes_per_event.png"));
  EXPECT_NE(report.find("![plots/bytes_per_event.png](plots/bytes_per_event.png)"), std::string::npos);

  // --report-only describes the run as its metadata.json recorded it, not as this binary's suite reads now.
  (*meta)["purpose"] = "The purpose this run recorded.";
  (*meta)["notes"] = Json::array({"A note this run recorded."});
  ASSERT_FALSE((*meta)["points"].empty());
  Json& point = (*meta)["points"][0];
  point["serve_args"].push_back("--sse-heartbeat-ms");
  point["serve_args"].push_back("1234");
  {
    std::ofstream file(out / "metadata.json", std::ios::binary | std::ios::trunc);
    file << json_text(*meta);
  }
  const std::string remake = rtbench + " run --report-only --no-plots --out " + out.string() + " > " +
                             (dir / "remake.log").string() + " 2>&1";
  const int remade = std::system(remake.c_str());
  ASSERT_TRUE(WIFEXITED(remade) && WEXITSTATUS(remade) == 0) << slurp(dir / "remake.log");
  const std::string again = slurp(out / "report.md");
  EXPECT_NE(again.find("The purpose this run recorded."), std::string::npos) << again;
  EXPECT_NE(again.find("- Note: A note this run recorded."), std::string::npos) << again;
  EXPECT_NE(again.find("--sse-heartbeat-ms 1234"), std::string::npos) << again;
  fs::remove_all(dir);
}

// A TLS point and its plain baseline through `rtbench run --suite-file`: the runner makes the certificate,
// serves and loads over TLS, and the report sets the two side by side.
TEST(RunSuiteSmoke, TlsPointBesideItsPlainBaseline) {
  const std::string rtbench = binary();
  ASSERT_FALSE(rtbench.empty()) << test::rtbench_binary() << " is not built";
  const fs::path dir = make_temp_dir();
  ASSERT_FALSE(dir.empty());
  const fs::path out = dir / "tls";
  const fs::path suite_file = dir / "tls.json";
  std::ofstream(suite_file) << R"({"name": "tlssmoke", "points": [
      {"tag": "plain", "transports": ["sse", "ws"],
       "load": {"clients": 3, "rate": 1, "warmup_s": 0.5, "duration_s": 2, "poll_interval_ms": 200}},
      {"tag": "secure", "transports": ["sse", "ws"], "tls": true, "baseline": "plain",
       "load": {"clients": 3, "rate": 1, "warmup_s": 0.5, "duration_s": 2, "poll_interval_ms": 200}}]})";
  const std::string command = rtbench + " run --suite-file " + suite_file.string() + " --out " +
                              out.string() + " --repeat 1 --no-plots > " + (dir / "run.log").string() +
                              " 2>&1";
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status)) << command;
  ASSERT_EQ(WEXITSTATUS(status), 0) << slurp(dir / "run.log");

  std::string suite, error;
  auto records = read_results_csv((out / "results.csv").string(), &suite, &error);
  ASSERT_TRUE(records) << error;
  ASSERT_EQ(records->size(), 4u);
  for (const auto& r : *records) {
    ASSERT_TRUE(r.result) << r.run_id;
    EXPECT_EQ(r.result->lost, 0u) << r.run_id;
    EXPECT_GT(r.result->delivered, 0u) << r.run_id;
    if (r.point == "secure") {
      EXPECT_EQ(r.result->tls, "TLSv1.3") << r.run_id;
      EXPECT_EQ(r.result->tls_verified, 1u) << r.run_id;
      EXPECT_GT(r.result->tls_bytes_per_event, r.result->bytes_up_per_event + r.result->bytes_down_per_event)
          << r.run_id;
    } else {
      EXPECT_TRUE(r.result->tls.empty()) << r.run_id;
    }
  }
  const std::string report = slurp(out / "report.md");
  EXPECT_NE(report.find("## Against the baseline"), std::string::npos) << report;
  EXPECT_NE(report.find("`secure` against `plain`"), std::string::npos) << report;
  EXPECT_NE(report.find("request headers over TLS"), std::string::npos) << "the Kaazing table over TLS";
  EXPECT_NE(report.find("| sse, tls |"), std::string::npos) << report;
  auto meta = parse_json(slurp(out / "metadata.json"), &error);
  ASSERT_TRUE(meta) << error;
  EXPECT_NE((*meta)["system"].value("openssl", "").find("OpenSSL"), std::string::npos);
  // The throwaway key is not left in the results.
  for (const auto& e : fs::recursive_directory_iterator(out)) {
    EXPECT_NE(e.path().extension(), ".key") << e.path();
  }
  fs::remove_all(dir);
}

// Proxies in the path, as the `proxy` suite puts them, in seconds: a point through nginx beside its direct
// baseline, nginx without Upgrade forwarding (WebSocket fails, the rest pass), squid as shipped (CONNECT
// refused), and nginx killed and restarted mid-run (nothing lost); the report's two proxy sections.
TEST(RunSuiteSmoke, ProxiesInThePathWithTheirFailureTable) {
  const std::string rtbench = binary();
  ASSERT_FALSE(rtbench.empty()) << test::rtbench_binary() << " is not built";
  for (auto kind : {IntermediaryKind::kNginx, IntermediaryKind::kSquid}) {
    if (std::string missing = intermediary_missing(kind); !missing.empty()) GTEST_SKIP() << missing;
  }
  const fs::path dir = make_temp_dir();
  ASSERT_FALSE(dir.empty());
  const fs::path out = dir / "proxy";
  const fs::path suite_file = dir / "proxy.json";
  const std::string load =
      R"("load": {"clients": 4, "rate": 5, "warmup_s": 0.5, "duration_s": 2.5, "poll_interval_ms": 200,
                  "connect_timeout_s": 3})";
  std::ofstream(suite_file) << R"({"name": "proxysmoke", "points": [
      {"tag": "direct", "transports": ["longpoll", "ws"], )" +
                                   load + R"(},
      {"tag": "nginx", "transports": ["longpoll", "ws"], "baseline": "direct",
       "intermediary": {"kind": "nginx"}, )" +
                                   load + R"(},
      {"tag": "nginx-no-upgrade", "transports": ["longpoll", "ws"], "errors_expected": true,
       "intermediary": {"kind": "nginx", "forward_upgrade": false}, )" +
                                   load + R"(},
      {"tag": "squid-stock", "transports": ["ws"], "errors_expected": true,
       "intermediary": {"kind": "squid"}, )" +
                                   load + R"(},
      {"tag": "nginx-killed", "transports": ["sse", "ws"], "errors_expected": true,
       "server_args": ["--sse-retry-ms", "200"],
       "intermediary": {"kind": "nginx", "kill_at_s": 1.5, "down_s": 0.5}, )" +
                                   load + R"(}],
    "failure_rows": [
      {"setup": "no upgrade", "broken": "nginx-no-upgrade", "fixed": "nginx", "fix": "forward it",
       "transports": ["longpoll", "ws"]},
      {"setup": "killed", "broken": "nginx-killed", "fixed": "", "fix": "none", "transports": ["sse", "ws"]}]})";
  const std::string command = rtbench + " run --suite-file " + suite_file.string() + " --out " +
                              out.string() + " --repeat 1 > " + (dir / "run.log").string() + " 2>&1";
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status)) << command;
  // The broken setups fail by design; every measured run passed and every fix held.
  EXPECT_EQ(WEXITSTATUS(status), 0) << slurp(dir / "run.log");
  EXPECT_NE(slurp(dir / "run.log").find("failure table: every fix verified"), std::string::npos)
      << slurp(dir / "run.log");

  std::string suite, error;
  auto records = read_results_csv((out / "results.csv").string(), &suite, &error);
  ASSERT_TRUE(records) << error << slurp(dir / "run.log");
  std::map<std::string, const RunRecord*> by_run;
  for (const auto& r : *records) by_run[r.point + "/" + r.transport] = &r;
  for (const char* run : {"direct/longpoll", "direct/ws", "nginx/longpoll", "nginx/ws",
                          "nginx-no-upgrade/longpoll", "nginx-killed/sse", "nginx-killed/ws"}) {
    ASSERT_TRUE(by_run.contains(run)) << run << " has no result: " << slurp(dir / "run.log");
  }
  for (const char* run :
       {"direct/longpoll", "direct/ws", "nginx/longpoll", "nginx/ws", "nginx-no-upgrade/longpoll"}) {
    const RunRecord& r = *by_run[run];
    ASSERT_TRUE(r.result) << run << ": " << r.error;
    EXPECT_EQ(r.result->lost, 0u) << run;
    EXPECT_EQ(r.result->errors_total, 0u) << run;
    // The proxy is sampled through a proxy; straight to the server there is none.
    EXPECT_EQ(std::isfinite(r.result->proxy_cpu_s), r.point != "direct") << run;
  }
  // nginx passes WebSocket frames on unchanged after the upgrade: what the server counted on its side of the
  // proxy is what the subscribers counted on theirs, but for the events in flight at the window's edges.
  const LoadResult& ws = *by_run["nginx/ws"]->result;
  const double client_side = ws.bytes_up_per_event + ws.bytes_down_per_event;
  EXPECT_NEAR(ws.proxy_server_side_bytes_per_event, client_side, client_side * 0.2);
  // The runs that produced nothing are in metadata.json with the generator's reason.
  auto meta = parse_json(slurp(out / "metadata.json"), &error);
  ASSERT_TRUE(meta) << error;
  auto failure_of = [&](const std::string& point) {
    for (const auto& r : (*meta)["runs"]) {
      if (r.value("point", "") == point && r.value("transport", "") == "ws") return r.value("error", "");
    }
    return std::string("no such run");
  };
  EXPECT_NE(failure_of("nginx-no-upgrade").find("instead of 101"), std::string::npos)
      << failure_of("nginx-no-upgrade");
  EXPECT_NE(failure_of("squid-stock").find("the proxy refused CONNECT"), std::string::npos)
      << failure_of("squid-stock");
  for (const char* run : {"nginx-killed/sse", "nginx-killed/ws"}) {
    const RunRecord& r = *by_run[run];
    ASSERT_TRUE(r.result) << run << ": " << r.error;
    EXPECT_EQ(r.result->lost, 0u) << run;
    EXPECT_GT(r.result->delivered, 0u) << run;
    EXPECT_GT(r.result->connects, 0u) << run << ": the clients reconnected through the new nginx";
  }

  const std::string report = slurp(out / "report.md");
  EXPECT_NE(report.find("## Through an intermediary"), std::string::npos) << report;
  EXPECT_NE(report.find("## What breaks where"), std::string::npos) << report;
  EXPECT_NE(report.find("| no upgrade (`nginx-no-upgrade`) | ws | no result: "), std::string::npos) << report;
  EXPECT_NE(report.find("| killed (`nginx-killed`) | ws |"), std::string::npos) << report;
  EXPECT_TRUE(fs::exists(out / "proxies" / "nginx.conf"));
  bool versioned = false;
  for (const auto& p : (*meta)["points"]) {
    if (p.contains("intermediary"))
      versioned = versioned || p["intermediary"].value("version", "").find("nginx/") == 0;
  }
  EXPECT_TRUE(versioned);
  if (python_has_matplotlib()) {
    for (const char* plot : {"proxy_added_latency_p50", "proxy_cpu_per_event", "failure_table"}) {
      EXPECT_TRUE(fs::exists(out / "plots" / (std::string(plot) + ".png")))
          << plot << ": " << slurp(out / "logs" / "plot.log");
    }
  }
  fs::remove_all(dir);
}

// A proxy-suite subset with nginx replaced through RTB_NGINX_BIN by `nginx_bin`: the direct point runs and
// passes, the nginx points (a measured one and a failure row) are skipped with `reason` in the summary, the
// report and metadata.json, and the suite exits 0. Needs no nginx installed.
void expect_nginx_points_skipped(const std::string& nginx_bin, const std::string& reason) {
  const std::string rtbench = binary();
  ASSERT_FALSE(rtbench.empty()) << test::rtbench_binary() << " is not built";
  const fs::path dir = make_temp_dir();
  ASSERT_FALSE(dir.empty());
  const fs::path out = dir / "proxy";
  const fs::path suite_file = dir / "proxy.json";
  const std::string load =
      R"("load": {"clients": 4, "rate": 5, "warmup_s": 0.5, "duration_s": 2.5, "connect_timeout_s": 3})";
  std::ofstream(suite_file) << R"({"name": "proxyskip", "points": [
      {"tag": "direct", "transports": ["sse"], )" +
                                   load + R"(},
      {"tag": "nginx", "transports": ["sse"], "baseline": "direct", "intermediary": {"kind": "nginx"}, )" +
                                   load + R"(},
      {"tag": "nginx-buffered", "transports": ["sse"], "errors_expected": true,
       "intermediary": {"kind": "nginx", "buffering": true, "ignore_accel_buffering": true}, )" +
                                   load + R"(}],
    "failure_rows": [{"setup": "buffered", "broken": "nginx-buffered", "fixed": "nginx",
                      "fix": "proxy_buffering off", "transports": ["sse"]}]})";
  const std::string command = "RTB_NGINX_BIN=" + nginx_bin + " " + rtbench + " run --suite-file " +
                              suite_file.string() + " --out " + out.string() + " --repeat 1 --no-plots > " +
                              (dir / "run.log").string() + " 2>&1";
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status)) << command;
  const std::string run_log = slurp(dir / "run.log");
  EXPECT_EQ(WEXITSTATUS(status), 0) << run_log;
  // The summary counts both nginx runs under one reason, and the failure row is not held against the suite.
  EXPECT_NE(run_log.find("skipped:  2 runs: " + reason), std::string::npos) << run_log;
  EXPECT_NE(run_log.find("(1 of 1 measured runs passed)"), std::string::npos) << run_log;
  EXPECT_NE(run_log.find("failure table: every fix verified"), std::string::npos) << run_log;

  std::string suite, error;
  auto records = read_results_csv((out / "results.csv").string(), &suite, &error);
  ASSERT_TRUE(records) << error << run_log;
  ASSERT_EQ(records->size(), 1u) << run_log;  // only runs with a result have a row
  const RunRecord& direct = records->front();
  EXPECT_EQ(direct.point, "direct");
  ASSERT_TRUE(direct.result) << direct.error;
  EXPECT_GT(direct.result->delivered, 0u);
  EXPECT_EQ(direct.result->lost, 0u);

  auto meta = parse_json(slurp(out / "metadata.json"), &error);
  ASSERT_TRUE(meta) << error;
  int skipped = 0;
  for (const auto& r : (*meta)["runs"]) {
    if (r.value("point", "") == "direct") continue;
    const std::string e = r.value("error", "");
    EXPECT_EQ(e.rfind("skipped: " + reason, 0), 0u) << e;
    ++skipped;
  }
  EXPECT_EQ(skipped, 2);
  const std::string report = slurp(out / "report.md");
  EXPECT_NE(report.find("produced no result: skipped: " + reason), std::string::npos) << report;
  EXPECT_NE(report.find("| buffered (`nginx-buffered`) | sse | no result: skipped: " + reason),
            std::string::npos)
      << report;
  EXPECT_NE(report.find("| skipped |"), std::string::npos) << report;
  fs::remove_all(dir);
}

TEST(RunSuiteSmoke, SkipsThePointsOfAProxyThatIsNotInstalled) {
  expect_nginx_points_skipped("/nonexistent/nginx",
                              "nginx is not installed: /nonexistent/nginx is missing or not executable (from "
                              "RTB_NGINX_BIN)");
}

// /bin/false stands for an nginx that is installed but exits at once (a broken config, a missing module).
TEST(RunSuiteSmoke, SkipsThePointsOfAProxyThatDoesNotStart) {
  expect_nginx_points_skipped(
      "/bin/false",
      "nginx did not start: nginx (/bin/false, from RTB_NGINX_BIN) exited (exit 1) before accepting "
      "connections");
}

TEST(RunSuiteSmoke, RefusesAnUnknownSuiteWithoutRunningAnything) {
  const std::string rtbench = binary();
  ASSERT_FALSE(rtbench.empty()) << test::rtbench_binary() << " is not built";
  const fs::path dir = make_temp_dir();
  const std::string command = rtbench + " run --suite no-such-suite --out " + (dir / "x").string() + " > " +
                              (dir / "log").string() + " 2>&1";
  const int status = std::system(command.c_str());
  EXPECT_EQ(WEXITSTATUS(status), 2);
  EXPECT_NE(slurp(dir / "log").find("no suite 'no-such-suite'; the suites are quick, kaazing"),
            std::string::npos);
  EXPECT_FALSE(fs::exists(dir / "x"));
  fs::remove_all(dir);
}

// No process the runner started may outlive it, also when it is interrupted mid-run.
TEST(RunSuiteSmoke, SigintStopsEveryChildAndKeepsPartialResults) {
  const std::string rtbench = binary();
  ASSERT_FALSE(rtbench.empty()) << test::rtbench_binary() << " is not built";
  const fs::path dir = make_temp_dir();
  const fs::path out = dir / "quick";
  std::string error;
  auto runner = ChildProcess::spawn({rtbench,
                                     {"run", "--suite", "quick", "--out", out.string(), "--repeat", "1"},
                                     (dir / "log").string(),
                                     -1,
                                     true},
                                    &error);
  ASSERT_TRUE(runner) << error;
  // Wait until the first generator is running against its server.
  const fs::path load_log = out / "logs" / "001-c1000-browser-poll-r1.load.log";
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (!fs::exists(load_log) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(fs::exists(load_log)) << slurp(dir / "log");
  std::this_thread::sleep_for(1s);
  ASSERT_EQ(::kill(runner->pid(), SIGINT), 0);
  ASSERT_TRUE(runner->wait_for(20s));
  EXPECT_EQ(runner->exit_code(), 128 + SIGINT) << slurp(dir / "log");

  // The server got SIGINT and shut down gracefully; no process still names the output folder.
  EXPECT_NE(slurp(out / "logs" / "001-c1000-browser-poll-r1.serve.log").find("rtbench serve: stopped"),
            std::string::npos);
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmdline = slurp(e.path() / "cmdline");
    EXPECT_EQ(cmdline.find(out.string()), std::string::npos) << "still running: pid " << name;
  }
  auto meta = parse_json(slurp(out / "metadata.json"), &error);
  ASSERT_TRUE(meta) << error;
  EXPECT_EQ((*meta)["interrupted"], true);
  EXPECT_NE(slurp(out / "report.md").find("interrupted"), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace rtb
