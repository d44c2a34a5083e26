// ProgressDisplay: what `rtbench run` shows on stderr while a suite runs: the run in progress (point,
// transport, repetition, i/n) and the time left, live on a terminal, one line per run otherwise.
#pragma once

#include <cstdio>
#include <string>

namespace rtb {

// Seconds left: the estimate of what remains, scaled by how the finished runs compared with their
// estimates, minus what the current run has already spent (never below the runs after it).
double eta_seconds(double done_actual_s, double done_estimated_s, double current_estimated_s,
                   double current_elapsed_s, double after_current_estimated_s);

// "45 s", "3m05s", "1h02m".
std::string format_duration(double seconds);

class ProgressDisplay {
 public:
  ProgressDisplay(std::FILE* out, bool terminal, std::size_t total_runs, double total_estimated_s)
      : out_(out), terminal_(terminal), total_(total_runs), remaining_estimated_s_(total_estimated_s) {}

  // `label`: "c1000-browser ws rep 1/3".
  void start_run(std::size_t index, const std::string& label, double estimated_s);
  // Terminal only: refreshes the live line at most twice a second.
  void tick(double elapsed_s);
  // `summary`: the run's key figures or why it failed.
  void finish_run(double elapsed_s, const std::string& summary);
  // A line of its own, the live line cleared first.
  void message(const std::string& text);

 private:
  std::string head(double elapsed_s) const;
  void clear_line();

  std::FILE* out_;
  bool terminal_;
  std::size_t total_;
  std::size_t index_ = 0;
  std::string label_;
  double current_estimated_s_ = 0;
  double remaining_estimated_s_;  // this run and every one after it
  double done_actual_s_ = 0;
  double done_estimated_s_ = 0;
  double last_tick_s_ = -1;
  bool line_shown_ = false;
};

}  // namespace rtb
