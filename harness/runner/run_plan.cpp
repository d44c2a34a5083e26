#include "harness/runner/run_plan.hpp"

#include <algorithm>
#include <cstdlib>
#include <limits>

#include <fmt/format.h>

#include "harness/scenario/load_options.hpp"

namespace rtb {

std::vector<PlannedRun> plan_runs(const Suite& suite, int repeat) {
  std::vector<PlannedRun> runs;
  for (int rep = 1; rep <= std::max(1, repeat); ++rep) {
    for (std::size_t p = 0; p < suite.points.size(); ++p) {
      for (auto t : suite.points[p].transports) {
        PlannedRun r;
        r.index = runs.size();
        r.point = p;
        r.transport = t;
        r.repetition = rep;
        r.id = fmt::format("{:03}-{}-{}-r{}", r.index + 1, suite.points[p].tag, transport_name(t), rep);
        r.estimated_s = estimate_run_seconds(suite.points[p], t);
        runs.push_back(std::move(r));
      }
    }
  }
  return runs;
}

RunFiles run_files(const std::string& out_dir, const PlannedRun& run) {
  RunFiles f;
  f.json = fmt::format("{}/points/{}.json", out_dir, run.id);
  f.spectrum = fmt::format("{}/spectra/{}.hgrm", out_dir, run.id);
  f.load_log = fmt::format("{}/logs/{}.load.log", out_dir, run.id);
  f.server_log = fmt::format("{}/logs/{}.serve.log", out_dir, run.id);
  return f;
}

std::vector<std::string> serve_arguments(const SuitePoint& point, const TlsFiles* tls) {
  // A short grace: by the time the runner stops the server the generator has gone and nothing is open.
  std::vector<std::string> args = {"serve", "--host", "127.0.0.1", "--port", "0", "--shutdown-grace-ms",
                                   "1000"};
  args.insert(args.end(), point.server_args.begin(), point.server_args.end());
  if (point.tls && tls != nullptr) args.insert(args.end(), {"--tls-cert", tls->cert, "--tls-key", tls->key});
  return args;
}

std::uint32_t serve_workers(const SuitePoint& point) {
  const auto& a = point.server_args;
  for (std::size_t i = 0; i + 1 < a.size(); ++i) {
    if (a[i] == "--workers")
      return static_cast<std::uint32_t>(std::max(1L, std::strtol(a[i + 1].c_str(), nullptr, 10)));
  }
  return 1;
}

bool serve_needs_redis(const SuitePoint& point) {
  const auto& a = point.server_args;
  return serve_workers(point) > 1 && std::find(a.begin(), a.end(), "--broker") == a.end();
}

std::vector<std::string> load_options(const SuitePoint& point, TransportKind transport) {
  LoadConfig c = point.load;
  c.transport = transport;
  // --transport always, then every load option (harness/scenario/load_options.hpp) the point sets to
  // something other than its default; the defaults are in the result JSON's "config".
  std::vector<std::string> a = {"--transport", std::string(transport_name(transport))};
  std::vector<std::string> rest = load_option_argv(c, LoadOptionScope::kLoad);
  for (std::size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == "--transport") {
      ++i;
      continue;
    }
    a.push_back(std::move(rest[i]));
  }
  return a;
}

std::vector<std::string> load_arguments(const SuitePoint& point, TransportKind transport,
                                        const RunTarget& target, const RunFiles& files,
                                        const std::string& raw_csv, const TlsFiles* tls) {
  std::vector<std::string> a = {"load", "--url", target.url};
  for (auto& o : load_options(point, transport)) a.push_back(std::move(o));
  if (point.tls && tls != nullptr) a.insert(a.end(), {"--tls-ca", tls->ca});
  if (target.server_pid > 0) a.insert(a.end(), {"--server-pid", std::to_string(target.server_pid)});
  if (!target.publish_url.empty()) a.insert(a.end(), {"--publish-url", target.publish_url});
  if (!target.forward_proxy.empty()) a.insert(a.end(), {"--proxy", target.forward_proxy});
  if (target.proxy_pid > 0) a.insert(a.end(), {"--proxy-pid", std::to_string(target.proxy_pid)});
  if (target.broker_pid > 0) a.insert(a.end(), {"--broker-pid", std::to_string(target.broker_pid)});
  if (point.errors_expected) {
    a.insert(a.end(), {"--max-errors", std::to_string(std::numeric_limits<std::uint64_t>::max())});
  }
  if (!raw_csv.empty()) a.insert(a.end(), {"--csv", raw_csv});
  a.insert(a.end(), {"--json", files.json, "--spectrum", files.spectrum, "--quiet"});
  return a;
}

}  // namespace rtb
