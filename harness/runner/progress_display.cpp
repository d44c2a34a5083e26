#include "harness/runner/progress_display.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace rtb {

double eta_seconds(double done_actual_s, double done_estimated_s, double current_estimated_s,
                   double current_elapsed_s, double after_current_estimated_s) {
  // Calibrate only once there is something to calibrate on, and within sane bounds: one odd run (a slow
  // first connect) should not triple the forecast.
  double factor = done_estimated_s > 0 ? std::clamp(done_actual_s / done_estimated_s, 0.5, 3.0) : 1.0;
  double after = factor * after_current_estimated_s;
  double current = std::max(0.0, factor * current_estimated_s - current_elapsed_s);
  return after + current;
}

std::string format_duration(double s) {
  if (!std::isfinite(s) || s < 0) s = 0;
  const auto total = static_cast<long>(std::lround(s));
  if (total < 60) return fmt::format("{} s", total);
  if (total < 3600) return fmt::format("{}m{:02}s", total / 60, total % 60);
  return fmt::format("{}h{:02}m", total / 3600, total / 60 % 60);
}

std::string ProgressDisplay::head(double elapsed_s) const {
  const double left = eta_seconds(done_actual_s_, done_estimated_s_, current_estimated_s_, elapsed_s,
                                  remaining_estimated_s_ - current_estimated_s_);
  return fmt::format("[{}/{}] {} ({} in, ~{} left)", index_ + 1, total_, label_, format_duration(elapsed_s),
                     format_duration(left));
}

void ProgressDisplay::clear_line() {
  if (terminal_ && line_shown_) {
    std::fputs("\r\033[K", out_);
    line_shown_ = false;
  }
}

void ProgressDisplay::start_run(std::size_t index, const std::string& label, double estimated_s) {
  index_ = index;
  label_ = label;
  current_estimated_s_ = estimated_s;
  last_tick_s_ = -1;
  tick(0);
}

void ProgressDisplay::tick(double elapsed_s) {
  if (!terminal_ || (last_tick_s_ >= 0 && elapsed_s - last_tick_s_ < 0.5)) return;
  last_tick_s_ = elapsed_s;
  std::fputs(("\r\033[K" + head(elapsed_s)).c_str(), out_);
  std::fflush(out_);
  line_shown_ = true;
}

void ProgressDisplay::finish_run(double elapsed_s, const std::string& summary) {
  done_actual_s_ += elapsed_s;
  done_estimated_s_ += current_estimated_s_;
  remaining_estimated_s_ = std::max(0.0, remaining_estimated_s_ - current_estimated_s_);
  const double left = eta_seconds(done_actual_s_, done_estimated_s_, 0, 0, remaining_estimated_s_);
  clear_line();
  std::fputs(fmt::format("[{}/{}] {}: {} ({}, ~{} left)\n", index_ + 1, total_, label_, summary,
                         format_duration(elapsed_s), format_duration(left))
                 .c_str(),
             out_);
  std::fflush(out_);
}

void ProgressDisplay::message(const std::string& text) {
  clear_line();
  std::fputs((text + "\n").c_str(), out_);
  std::fflush(out_);
}

}  // namespace rtb
