#include "harness/scenario/load_result.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "harness/scenario/load_report.hpp"
#include "harness/scenario/run_metadata.hpp"

namespace rtb {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream s(line);
  std::string field;
  while (std::getline(s, field, ',')) out.push_back(field);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

LoadResult sample_result() {
  LoadResult r;
  r.start_time = "2024-01-02T03:04:05.006Z";
  r.transport = "poll";
  r.url = "http://127.0.0.1:8080";
  r.clients = 1000;
  r.rate = 100.5;
  r.header_profile = "browser";
  r.p99_us = 1234.5;
  r.delivered = 18446744073709551615ULL;
  r.server_cpu_s = std::nan("");
  r.tcp_segments_scope = "loopback_both_ends";
  r.latency.record(1000);
  r.latency.record(2'000'000);
  r.error_examples.emplace_back("refused", "connection refused");
  r.warnings.push_back("a warning, with a comma");
  return r;
}

TEST(LoadResult, ColumnsCarryTheRequiredNames) {
  const auto header = load_result_csv_header();
  const std::set<std::string> names(header.begin(), header.end());
  EXPECT_EQ(names.size(), header.size()) << "duplicate column";
  for (const char* required : {"transport",
                               "clients",
                               "rate",
                               "payload_bytes",
                               "header_profile",
                               "poll_interval_ms",
                               "p50_us",
                               "p90_us",
                               "p99_us",
                               "p999_us",
                               "max_us",
                               "mean_us",
                               "delivered",
                               "expected",
                               "lost",
                               "duplicated",
                               "reordered",
                               "events_per_s",
                               "requests",
                               "requests_per_event",
                               "empty_responses",
                               "bytes_up_per_event",
                               "bytes_down_per_event",
                               "header_bytes_per_event",
                               "framing_bytes_per_event",
                               "payload_bytes_per_event",
                               "tcp_segments_per_event",
                               "server_cpu_s_per_1k_events",
                               "server_rss_bytes",
                               "server_bytes_per_idle_conn",
                               "kernel_tcp_bytes_per_conn",
                               "generator_cpu_pct",
                               "errors_refused",
                               "errors_reset",
                               "errors_timeout",
                               "errors_protocol",
                               "errors_http_status",
                               "publish_late",
                               "publish_dropped"}) {
    EXPECT_TRUE(names.count(required)) << required;
  }
}

TEST(LoadResult, ReadmeDocumentsEveryColumn) {
  const char* root = std::getenv("RTB_SOURCE_DIR");
  ASSERT_NE(root, nullptr) << "ctest sets RTB_SOURCE_DIR";
  const std::string readme = read_file(std::string(root) + "/harness/scenario/README.md");
  ASSERT_FALSE(readme.empty());
  for (const auto& column : load_result_csv_header()) {
    EXPECT_NE(readme.find("| `" + column + "` |"), std::string::npos)
        << column << " is not in the README table";
  }
}

TEST(LoadResult, CsvAppendsOneRowPerRunUnderOneHeader) {
  char path[] = "/tmp/rtb_load_csv_XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  std::string error;
  LoadResult r = sample_result();
  ASSERT_TRUE(append_load_result_csv(path, r, &error)) << error;
  r.clients = 2000;
  ASSERT_TRUE(append_load_result_csv(path, r, &error)) << error;
  const std::string text = read_file(path);
  unlink(path);
  std::vector<std::string> lines;
  std::stringstream s(text);
  for (std::string line; std::getline(s, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 3u);
  const auto header = split(lines[0]);
  EXPECT_EQ(header, load_result_csv_header());
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto row = split(lines[i]);
    ASSERT_EQ(row.size(), header.size()) << lines[i];
    auto back = load_result_from_csv(header, row, &error);
    ASSERT_TRUE(back) << error;
    EXPECT_EQ(back->clients, i == 1 ? 1000u : 2000u);
    EXPECT_EQ(back->delivered, r.delivered);
    EXPECT_EQ(back->rate, 100.5);
    EXPECT_EQ(back->p99_us, 1234.5);
    EXPECT_TRUE(std::isnan(back->server_cpu_s));
    EXPECT_EQ(back->header_profile, "browser");
  }
}

TEST(LoadResult, JsonReadsBackTheSameResult) {
  LoadResult r = sample_result();
  r.measure_start_time = "2024-05-01T12:34:57.250Z";
  LoadConfig config;
  RunMetadata meta;
  meta.version = rtbench_version();
  meta.git_commit = "abc";
  meta.command_line = "rtbench load --clients 1000";
  std::string error;
  auto back = load_result_from_json(load_result_json(config, r, meta), &error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(load_result_csv_row(*back), load_result_csv_row(r));
  EXPECT_EQ(back->latency, r.latency);
  EXPECT_EQ(back->error_examples, r.error_examples);
  EXPECT_EQ(back->warnings, r.warnings);
  EXPECT_EQ(back->measure_start_time, r.measure_start_time);
  EXPECT_FALSE(load_result_from_json("{\"tool\":1}", &error));
  EXPECT_NE(error.find("result"), std::string::npos);
}

}  // namespace
}  // namespace rtb

namespace rtb {
namespace {

TEST(RunMetadata, Iso8601UtcReadsBackToTheMillisecond) {
  const auto t = std::chrono::system_clock::time_point(std::chrono::milliseconds(1'700'000'000'123));
  EXPECT_EQ(iso8601_utc(t), "2023-11-14T22:13:20.123Z");
  EXPECT_DOUBLE_EQ(*unix_seconds_of_iso8601_utc(iso8601_utc(t)), 1'700'000'000.123);
  EXPECT_EQ(unix_seconds_of_iso8601_utc("1970-01-01T00:00:00Z"), 0.0);
  for (const char* bad : {"", "2023-11-14 22:13:20.123Z", "2023-11-14T22:13:20.123", "2023-13-14T22:13:20Z",
                          "2023-11-14T22:13:20.12Z", "2023-1a-14T22:13:20.123Z", "2023-00-14T22:13:20Z"}) {
    EXPECT_FALSE(unix_seconds_of_iso8601_utc(bad)) << bad;
  }
}

TEST(LoadResult, CsvCellsHaveNoNanAndNoFloatNoise) {
  LoadResult r;
  r.server_cpu_s = std::nan("");
  r.requests_per_event = 0.08399999999999999;
  r.server_rss_bytes = 123456789;
  const auto header = load_result_csv_header();
  const auto row = load_result_csv_row(r);
  for (std::size_t i = 0; i < header.size(); ++i) {
    EXPECT_NE(row[i], "nan") << header[i];
    if (header[i] == "server_cpu_s") {
      EXPECT_EQ(row[i], "") << "not measured is an empty cell";
    } else if (header[i] == "requests_per_event") {
      EXPECT_EQ(row[i], "0.084");
    } else if (header[i] == "server_rss_bytes") {
      EXPECT_EQ(row[i], "123456789");
    }
  }
  std::string error;
  auto back = load_result_from_csv(header, row, &error);
  ASSERT_TRUE(back) << error;
  EXPECT_TRUE(std::isnan(back->server_cpu_s));
}

}  // namespace
}  // namespace rtb
