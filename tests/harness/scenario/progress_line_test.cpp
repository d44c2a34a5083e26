#include "harness/scenario/progress_line.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace rtb {
namespace {

TEST(ProgressLine, ShowsPhaseConnectionsRateAndP99) {
  LoadProgress p;
  p.phase = LoadPhase::kMeasure;
  p.phase_elapsed_s = 2.5;
  p.phase_length_s = 10;
  p.clients = 1000;
  p.connected = 998;
  p.events_per_s = 12345;
  p.p99_us = 1500;
  p.errors = 2;
  const std::string line = ProgressLine::format(p);
  EXPECT_NE(line.find("measure"), std::string::npos) << line;
  EXPECT_NE(line.find("2.5/10s"), std::string::npos) << line;
  EXPECT_NE(line.find("conns 998/1000"), std::string::npos) << line;
  EXPECT_NE(line.find("events/s 12345"), std::string::npos) << line;
  EXPECT_NE(line.find("p99 1.50ms"), std::string::npos) << line;
  EXPECT_NE(line.find("errors 2"), std::string::npos) << line;
  EXPECT_EQ(line.find("publish"), std::string::npos) << line;
}

TEST(ProgressLine, SaysWhenThePublisherFallsBehind) {
  LoadProgress p;
  p.p99_us = std::nan("");
  p.publish_late = 3;
  p.publish_dropped = 4;
  const std::string line = ProgressLine::format(p);
  EXPECT_NE(line.find("p99 -"), std::string::npos) << line;
  EXPECT_NE(line.find("publish late 3 dropped 4"), std::string::npos) << line;
}

TEST(ProgressLine, NotShownWhenQuietOrNotATerminal) {
  EXPECT_FALSE(ProgressLine::should_show(stderr, true));
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  EXPECT_FALSE(ProgressLine::should_show(file, false));
  std::fclose(file);
}

}  // namespace
}  // namespace rtb
