// RunPlan: a suite expanded into the ordered list of runs (point x transport x repetition) and the exact
// `rtbench serve` / `rtbench load` command lines each run spawns.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "harness/runner/suite.hpp"

namespace rtb {

struct PlannedRun {
  std::size_t index = 0;  // 0-based position in the plan
  std::size_t point = 0;  // index into Suite::points
  TransportKind transport = default_transport();
  int repetition = 1;  // 1-based
  std::string id;      // names the run's files: "003-c1000-browser-ws-r1"
  double estimated_s = 0;
};

// Repetitions are the outer loop: every case runs once before any runs twice, so slow drift of a noisy
// machine spreads over all transports instead of landing on whichever ran last.
std::vector<PlannedRun> plan_runs(const Suite& suite, int repeat);

// Where one run's files go, relative to the output folder.
struct RunFiles {
  std::string json;      // points/<id>.json, the generator's full result
  std::string spectrum;  // spectra/<id>.hgrm
  std::string load_log;  // logs/<id>.load.log, the generator's stdout and stderr
  std::string server_log;
};
RunFiles run_files(const std::string& out_dir, const PlannedRun& run);

// `serve` and its options (argv[0], the binary, not included). A TLS point gets `tls`'s certificate; without
// `tls` it is served over plain HTTP (the verify step, the metadata).
std::vector<std::string> serve_arguments(const SuitePoint& point, const TlsFiles* tls = nullptr);
// The point's `serve --workers N` (1 without it), and whether its server args name a broker: several
// workers without one get a Redis of the run's own (--broker redis://), as the server requires.
std::uint32_t serve_workers(const SuitePoint& point);
bool serve_needs_redis(const SuitePoint& point);

// The `rtbench load` options that describe the load itself: everything but the URL, the server pid and the
// output files.
std::vector<std::string> load_options(const SuitePoint& point, TransportKind transport);

// What one run's generator is pointed at.
struct RunTarget {
  std::string url;            // --url: the server, or the reverse proxy in front of it
  std::string publish_url;    // --publish-url: the server behind a reverse proxy, or empty
  int server_pid = 0;         // 0: not sampled (a server this runner did not start)
  std::string forward_proxy;  // --proxy, or empty
  int proxy_pid = 0;          // --proxy-pid, or 0
  int broker_pid = 0;         // --broker-pid: the redis-server the runner started for the servers, or 0
};

// `load` and its options for one run against `target`.
std::vector<std::string> load_arguments(const SuitePoint& point, TransportKind transport,
                                        const RunTarget& target, const RunFiles& files,
                                        const std::string& raw_csv, const TlsFiles* tls = nullptr);

}  // namespace rtb
