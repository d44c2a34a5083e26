// ProgressLine: the live one-line status of a load run on a terminal (phase, connections, events/s, p99).
#pragma once

#include <cstdio>
#include <string>

#include "harness/scenario/load_run.hpp"

namespace rtb {

// Rewrites one line in place with '\r'; meant for stderr when it is a terminal (should_show()).
class ProgressLine final : public LoadObserver {
 public:
  explicit ProgressLine(std::FILE* out = stderr) : out_(out) {}
  ~ProgressLine() override { clear(); }

  // A terminal and not --quiet: progress on a pipe or in a log file is noise.
  static bool should_show(std::FILE* out, bool quiet);
  static std::string format(const LoadProgress& p);

  void on_progress(const LoadProgress& progress) override;
  // Erases the line so the summary starts on a clean one.
  void clear();

 private:
  std::FILE* out_;
  bool shown_ = false;
};

}  // namespace rtb
