#include "harness/scenario/progress_line.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>

namespace rtb {

bool ProgressLine::should_show(std::FILE* out, bool quiet) {
  return !quiet && out != nullptr && isatty(fileno(out)) == 1;
}

std::string ProgressLine::format(const LoadProgress& p) {
  std::string clock = p.phase_length_s > 0 ? fmt::format("{:.1f}/{:g}s", p.phase_elapsed_s, p.phase_length_s)
                                           : fmt::format("{:.1f}s", p.phase_elapsed_s);
  std::string p99 = std::isnan(p.p99_us) ? "-"
                    : p.p99_us >= 1000   ? fmt::format("{:.2f}ms", p.p99_us / 1000)
                                         : fmt::format("{:.0f}us", p.p99_us);
  std::string line =
      fmt::format("[{:<7} {:>10}] conns {}/{}", load_phase_name(p.phase), clock, p.connected, p.clients);
  if (p.connecting > 0) line += fmt::format(" (+{} connecting)", p.connecting);
  line += fmt::format("  {} {:.0f}  p99 {}  errors {}", p.round_trip ? "ops/s" : "events/s", p.events_per_s,
                      p99, p.errors);
  if (p.publish_late + p.publish_dropped > 0) {
    line += fmt::format("  publish late {} dropped {}", p.publish_late, p.publish_dropped);
  }
  return line;
}

void ProgressLine::on_progress(const LoadProgress& progress) {
  // \x1b[K clears what a longer previous line left behind.
  fmt::print(out_, "\r{}\x1b[K", format(progress));
  std::fflush(out_);
  shown_ = true;
}

void ProgressLine::clear() {
  if (!shown_) return;
  fmt::print(out_, "\r\x1b[K");
  std::fflush(out_);
  shown_ = false;
}

}  // namespace rtb
