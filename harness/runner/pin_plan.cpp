#include "harness/runner/pin_plan.hpp"

#include <fmt/format.h>

namespace rtb {

PinPlan plan_pinning(const std::vector<int>& allowed) {
  PinPlan p;
  if (allowed.size() < 2) {
    p.note = fmt::format(
        "not pinned: this process may use {} CPU{}, so the server and the generator share it and every "
        "figure "
        "includes their competition",
        allowed.size(), allowed.size() == 1 ? "" : "s");
    return p;
  }
  p.server_cpu = allowed[0];
  p.generator_cpu = allowed[1];
  p.note = fmt::format(
      "server pinned to CPU {}, load generator to CPU {} (sched_setaffinity before exec); the "
      "runner itself is not pinned and mostly sleeps",
      p.server_cpu, p.generator_cpu);
  return p;
}

}  // namespace rtb
