// Report: report.md of a suite, the key tables in Markdown ready to paste (per point and transport: median
// [min–max] across repetitions), the Kaazing side-by-side, the model checks, the command and the machine.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "harness/runner/run_record.hpp"
#include "harness/runner/suite.hpp"

namespace rtb {

struct ReportContext {
  std::string suite_name;
  const Suite* suite = nullptr;  // nullptr when the suite is not in this build's catalogue
  std::string command_line;
  int cores = 0;           // online CPUs, for the measurement note
  std::string machine;     // one line: CPU, cores, kernel, memory, ulimit -n
  std::string pinning;     // where server and generator ran
  std::string load;        // "load average 1/5/15 min: 0.10 0.20 0.30 at the start, ... at the end"
  bool busy_host = false;  // other work ran on the host: the report says the numbers are noisier
  std::string version;     // rtbench version and git commit
  std::string start_time, end_time;
  int repeat = 0;
  bool interrupted = false;
  std::vector<std::string> failed_runs;  // one line each
  std::vector<std::string> plots;        // image paths relative to the report (plots/x.png)
  std::string plots_note;                // why there are no plots, when there are none
};

std::string render_report(const ReportContext& context, const std::vector<RunRecord>& records);

// The peer figure the polling table is read against, as measured on the project's machine and committed in
// results/peers/README.md (docs/anchors.md lists the older figures from other machines).
inline constexpr std::string_view kNginxAnchor =
    "Anchor: nginx 1.22 (`return 204;`, wrk -t1 -c50 keep-alive) spent 6.46 us of server CPU per request on "
    "this project's 2-core machine, rtbench's empty /poll 6.30 us (results/peers/README.md, "
    "scripts/bench-http-peer.sh; older figures from other machines in docs/anchors.md).";

// The note every results folder carries about where its numbers come from.
std::string measurement_note(int cores);

}  // namespace rtb
