// PinPlan: which CPU the server and the load generator run on, so they never compete for one core.
#pragma once

#include <string>
#include <vector>

namespace rtb {

struct PinPlan {
  int server_cpu = -1;  // -1: not pinned
  int generator_cpu = -1;
  std::string note;  // one sentence for metadata.json and the report
  bool pinned() const { return server_cpu >= 0 && generator_cpu >= 0; }
};

// Core 0 for the server and core 1 for the generator when this process may use both; otherwise the first
// two CPUs it may use; with fewer than two, nothing is pinned and the note says so.
PinPlan plan_pinning(const std::vector<int>& allowed_cpus);

}  // namespace rtb
