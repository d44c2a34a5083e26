#include "harness/runner/progress_display.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>

namespace rtb {
namespace {

TEST(EtaSeconds, UsesTheEstimatesUntilARunHasFinished) {
  EXPECT_DOUBLE_EQ(eta_seconds(0, 0, 10, 0, 50), 60);
  EXPECT_DOUBLE_EQ(eta_seconds(0, 0, 10, 4, 50), 56);
  EXPECT_DOUBLE_EQ(eta_seconds(0, 0, 10, 15, 50), 50);  // an overrunning run never makes time left negative
}

TEST(EtaSeconds, ScalesByHowFinishedRunsComparedWithTheirEstimates) {
  EXPECT_DOUBLE_EQ(eta_seconds(30, 20, 10, 0, 20), 45);  // 1.5x slower than estimated
  EXPECT_DOUBLE_EQ(eta_seconds(100, 10, 0, 0, 10), 30);  // clamped at 3x
  EXPECT_DOUBLE_EQ(eta_seconds(1, 10, 0, 0, 10), 5);     // and at 0.5x
}

TEST(FormatDuration, SecondsMinutesHours) {
  EXPECT_EQ(format_duration(4.4), "4 s");
  EXPECT_EQ(format_duration(59.6), "1m00s");
  EXPECT_EQ(format_duration(185), "3m05s");
  EXPECT_EQ(format_duration(3720), "1h02m");
  EXPECT_EQ(format_duration(-3), "0 s");
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

std::string drain(std::FILE* f) {
  std::fflush(f);
  std::rewind(f);
  std::string out;
  char buf[512];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  return out;
}

TEST(ProgressDisplay, OffATerminalPrintsOneLinePerRunWithTheTimeLeft) {
  std::unique_ptr<std::FILE, FileCloser> f(std::tmpfile());
  ProgressDisplay p(f.get(), false, 2, 20);
  p.start_run(0, "c5 poll rep 1/1", 10);
  p.tick(3);
  p.finish_run(20, "p50 1 ms");
  p.start_run(1, "c5 ws rep 1/1", 10);
  p.finish_run(5, "p50 2 ms");
  std::string out = drain(f.get());
  EXPECT_EQ(out,
            "[1/2] c5 poll rep 1/1: p50 1 ms (20 s, ~20 s left)\n"
            "[2/2] c5 ws rep 1/1: p50 2 ms (5 s, ~0 s left)\n");
}

TEST(ProgressDisplay, OnATerminalRewritesALiveLineNamingTheRun) {
  std::unique_ptr<std::FILE, FileCloser> f(std::tmpfile());
  ProgressDisplay p(f.get(), true, 3, 30);
  p.start_run(0, "c1000 sse rep 2/3", 10);
  p.tick(0.2);  // too soon after the first: not redrawn
  p.tick(4);
  std::string out = drain(f.get());
  EXPECT_NE(out.find("\r\033[K[1/3] c1000 sse rep 2/3 (0 s in, ~30 s left)"), std::string::npos) << out;
  EXPECT_NE(out.find("(4 s in, ~26 s left)"), std::string::npos) << out;
  EXPECT_EQ(out.find("(0 s in, ~30 s left)", out.find("~30 s left") + 1), std::string::npos);
}

}  // namespace
}  // namespace rtb
