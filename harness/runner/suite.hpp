// Suite: a named benchmark matrix as plain data (points of load parameters and server options), with the
// machine-limit checks and the duration estimate `rtbench run` needs before it starts anything.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/proxies/intermediary.hpp"
#include "harness/scenario/load_config.hpp"
#include "harness/scenario/transport_kind.hpp"

namespace rtb {

// One configuration of the matrix. It runs once per transport in `transports` and per repetition, each time
// against a fresh server, so memory per connection starts from a clean RSS.
struct SuitePoint {
  std::string tag;   // unique in its suite, file-name safe: "c1000-browser"
  std::string note;  // what the point models, for the report; may be empty
  std::vector<TransportKind> transports = all_transports();
  // Everything `rtbench load` takes except url, server_pid and the output files, which belong to a run.
  LoadConfig load;
  std::vector<std::string> server_args;  // extra `rtbench serve` options, e.g. {"--sse-heartbeat-ms", "5000"}
  // Served and loaded over TLS (https, wss) with the throwaway CA and certificate the runner makes for the
  // suite (scripts/make-test-certs.sh): serve gets --tls-cert and --tls-key, load --tls-ca.
  bool tls = false;
  // The tag of the point this one is a variant of (plain for a TLS point): the report sets the two side by
  // side per transport, with ratios. Empty: none.
  std::string baseline;
  // An intermediary (nginx, HAProxy, squid) the runner starts in front of each run's server, pinned with it:
  // the generator goes through it (--url for a reverse proxy, --proxy for a forward one) and samples it
  // (--proxy-pid). None: straight to the server.
  std::optional<IntermediaryOptions> intermediary;
  // Seconds after the generator started at which the runner kills the intermediary (SIGKILL; pick a time in
  // the measure window), and how long it stays down before it starts again on the same port; 0: never.
  double intermediary_kill_at_s = 0;
  double intermediary_down_s = 1;
  // Connection errors are what the point shows (a failure-table setup): they do not fail its runs.
  bool errors_expected = false;
};

// One row of a suite's failure table: a setup that breaks some transports (a point), the change that fixes
// it (another point; empty when nothing needs fixing), on the transports named; the report prints what the
// clients saw in each, from the runs.
struct FailureRow {
  std::string setup;  // "nginx without Upgrade/Connection forwarding"
  std::string broken;
  std::string fixed;
  std::string fix;  // the change, in the words of the one who would make it
  std::vector<TransportKind> transports;
};

// The certificate files of a suite with TLS points.
struct TlsFiles {
  std::string ca;
  std::string cert;
  std::string key;
};

struct Suite {
  std::string name;
  std::string purpose;             // one sentence: what the suite shows
  std::vector<std::string> notes;  // how the use case was modelled where the generator cannot do it literally
  std::vector<SuitePoint> points;
  std::vector<FailureRow> failure_rows;
  int repeat = 0;  // a suite file's repetitions; 0: --repeat decides
};

// The limits of the machines rtbench runs on (docs/anchors.md), with margins: one generator process and one
// server process, each under the 20,000 open files it may hold.
struct MachineLimits {
  std::uint32_t max_clients = 19'000;        // per process: 20,000 fds minus listeners, publisher, logs
  std::uint32_t max_connect_batch = 4096;    // somaxconn: the accept queue
  std::uint32_t ports_per_source = 28'232;   // ephemeral ports per source/destination pair
  double max_new_connections_per_s = 5'000;  // connection per request: TIME_WAIT and accept cost stay sane
};

// Every way the suite breaks a limit or an invariant (unknown tag, duplicate tag, a config the generator
// would refuse), one sentence each; empty when the suite can run.
std::vector<std::string> check_suite(const Suite& suite, const MachineLimits& limits = {});

// Seconds one run (one point, one transport, one repetition) is expected to take, process start and
// shutdown included; used for the progress display and the documented suite durations.
double estimate_run_seconds(const SuitePoint& point, TransportKind transport);
// The whole suite at `repeat` repetitions, without the verify step and the plots.
double estimate_suite_seconds(const Suite& suite, int repeat);
std::size_t suite_run_count(const Suite& suite, int repeat);

}  // namespace rtb
