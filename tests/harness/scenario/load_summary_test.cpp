#include "harness/scenario/load_summary.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace rtb {
namespace {

TEST(LoadSummary, ReportsTheFiguresAndFlagsAGeneratorBoundRun) {
  LoadConfig config;
  LoadResult r;
  r.url = "http://127.0.0.1:8080";
  r.transport = "poll";
  r.clients = r.connected = 10;
  r.p50_us = 800;
  r.p99_us = 2500;
  r.max_us = 1.5e6;
  r.delivered = r.expected = 1000;
  r.effective_poll_interval_ms = 1001;
  r.tcp_segments_scope = "loopback_both_ends";
  r.server_cpu_s_per_1k_events = std::nan("");
  r.generator_cpu_pct = 95;
  r.generator_bottleneck = 1;
  r.errors_total = r.errors_refused = 3;
  r.error_examples.emplace_back("refused", "connection refused");
  r.warnings.push_back("something to know");
  const std::string s = load_summary(config, r);
  for (const char* part :
       {"800.0us", "2.50ms", "1.50s", "1000 of 1000 expected", "every 1001.0 ms", "ends both counted",
        "GENERATOR-BOUND", "refused 3", "first refused: connection refused", "WARNING: something to know",
        "no --server-pid"}) {
    EXPECT_NE(s.find(part), std::string::npos) << part << "\n" << s;
  }
}

}  // namespace
}  // namespace rtb
