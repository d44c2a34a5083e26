#include "harness/runner/suite.hpp"

#include "harness/runner/run_plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace rtb {

namespace {

bool file_name_safe(std::string_view tag) {
  return !tag.empty() && tag.size() <= 60 && std::all_of(tag.begin(), tag.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
  });
}

// Process start, the server's ready line, the generator's marker publish and both shutdowns, measured on
// the 2-core machine at about 0.3 s; the settle phase is fixed at 300 ms by the generator.
constexpr double kRunOverheadS = 0.6;

}  // namespace

std::vector<std::string> check_suite(const Suite& suite, const MachineLimits& limits) {
  std::vector<std::string> problems;
  if (suite.name.empty()) problems.push_back("a suite has no name");
  if (suite.points.empty()) problems.push_back(fmt::format("suite {} has no points", suite.name));
  std::set<std::string> tags;
  for (const auto& p : suite.points) {
    const std::string where = fmt::format("suite {} point {}", suite.name, p.tag);
    if (!file_name_safe(p.tag)) {
      problems.push_back(where + ": the tag must be 1-60 characters of a-z 0-9 - . _ (it names files)");
    }
    if (!tags.insert(p.tag).second) problems.push_back(where + ": duplicate tag");
    if (p.transports.empty()) problems.push_back(where + ": no transport");
    std::set<TransportKind> seen;
    for (auto t : p.transports) {
      if (!seen.insert(t).second) problems.push_back(where + ": a transport is listed twice");
      LoadConfig c = p.load;
      c.transport = t;
      if (std::string e = validate_load_config(c); !e.empty()) {
        problems.push_back(fmt::format("{} ({}): {}", where, transport_name(t), e));
      }
    }
    const auto& c = p.load;
    const std::uint64_t per_generator = (c.clients + c.procs - 1) / std::max<std::uint32_t>(c.procs, 1);
    if (per_generator > limits.max_clients) {
      problems.push_back(
          fmt::format("{}: {} clients per generator process is above {} (20,000 open files per process): "
                      "raise procs to {}",
                      where, per_generator, limits.max_clients,
                      (c.clients + limits.max_clients - 1) / limits.max_clients));
    }
    // SO_REUSEPORT spreads connections over the workers by a hash, not evenly: 10% room per worker.
    const std::uint32_t workers = serve_workers(p);
    const std::uint64_t per_worker = (c.clients * 11 / 10 + workers - 1) / workers;
    if (per_worker > limits.max_clients) {
      problems.push_back(
          fmt::format("{}: {} clients over {} server worker(s) (with 10% for an uneven spread) is {} per "
                      "process, above {}: "
                      "add \"--workers\", \"{}\" to its server_args",
                      where, c.clients, workers, per_worker, limits.max_clients,
                      (c.clients * 11 / 10 + limits.max_clients - 1) / limits.max_clients));
    }
    const std::size_t sources = std::max<std::size_t>(1, c.sources.size());
    if (c.clients > limits.ports_per_source * sources) {
      problems.push_back(
          fmt::format("{}: {} clients need more than {} ephemeral ports per source: add sources", where,
                      c.clients, limits.ports_per_source));
    }
    if (c.connect_batch > limits.max_connect_batch) {
      problems.push_back(fmt::format("{}: connect batch {} is above somaxconn {}", where, c.connect_batch,
                                     limits.max_connect_batch));
    }
    if (c.connection_per_request && c.poll_interval_ms > 0) {
      const double per_s = c.clients * 1000.0 / c.poll_interval_ms;
      if (per_s > limits.max_new_connections_per_s) {
        problems.push_back(fmt::format("{}: {:.0f} new connections per second is above {:.0f}", where, per_s,
                                       limits.max_new_connections_per_s));
      }
    }
  }
  for (const auto& p : suite.points) {
    if (p.baseline.empty()) continue;
    const std::string where = fmt::format("suite {} point {}", suite.name, p.tag);
    if (p.baseline == p.tag) {
      problems.push_back(where + ": its baseline is itself");
    } else if (!tags.contains(p.baseline)) {
      problems.push_back(fmt::format("{}: baseline '{}' is not a point of the suite", where, p.baseline));
    }
  }
  for (const auto& p : suite.points) {
    if (!p.intermediary) continue;
    const std::string where = fmt::format("suite {} point {}", suite.name, p.tag);
    // Each client holds two of the proxy's descriptors (its side and the server's), under the same limit.
    if (static_cast<std::uint64_t>(p.load.clients) * 2 + 100 > 20'000) {
      problems.push_back(fmt::format("{}: {} clients need {} descriptors in the proxy, above its 20,000",
                                     where, p.load.clients, p.load.clients * 2));
    }
    if (p.intermediary->max_connections < static_cast<int>(p.load.clients) + 10) {
      problems.push_back(fmt::format("{}: the proxy takes {} connections, fewer than {} clients", where,
                                     p.intermediary->max_connections, p.load.clients));
    }
    const IntermediaryKind kind = p.intermediary->kind;
    if (p.intermediary->backends > 1 && kind != IntermediaryKind::kHaproxyTcp &&
        kind != IntermediaryKind::kHaproxyHttp) {
      problems.push_back(
          where + ": several backends are balanced by HAProxy only (kind haproxy-tcp or haproxy-http)");
    }
    if (p.intermediary_kill_at_s < 0 || p.intermediary_kill_at_s >= p.load.warmup_s + p.load.duration_s) {
      problems.push_back(where + ": the proxy's kill time must fall before the measure window ends");
    }
  }
  for (const auto& row : suite.failure_rows) {
    for (const std::string& tag : {row.broken, row.fixed}) {
      if (!tag.empty() && !tags.contains(tag)) {
        problems.push_back(fmt::format("suite {}: failure row '{}' names '{}', not a point of the suite",
                                       suite.name, row.setup, tag));
      }
    }
    if (row.broken.empty() || row.transports.empty()) {
      problems.push_back(
          fmt::format("suite {}: failure row '{}' needs a point and transports", suite.name, row.setup));
    }
  }
  return problems;
}

double estimate_run_seconds(const SuitePoint& point, TransportKind transport) {
  const LoadConfig& c = point.load;
  double s = kRunOverheadS + c.warmup_s + c.duration_s;
  // Connecting: paced at --connect-rate, and this machine's loopback does not connect much above 10,000
  // clients a second once both ends hold hundreds of thousands of sockets.
  s += c.clients / std::max(1.0, std::min(c.connect_rate, 10'000.0));
  // Closing them at the end takes the processes a while too; so does a broadcast to all of them.
  s += c.clients / 10'000.0;
  if (c.clients > 20'000) s += c.clients / 100'000.0;
  // The drain ends when every subscriber has every measured event: a short poller needs up to one more
  // interval; the pushing transports a few transits.
  double drain = polls_on_interval(transport) ? c.poll_interval_ms / 1000.0 + 0.1 : 0.2;
  if (c.rate <= 0) drain = 0.1;
  s += std::min(drain, c.drain_s);
  return s;
}

double estimate_suite_seconds(const Suite& suite, int repeat) {
  double s = 0;
  for (const auto& p : suite.points) {
    for (auto t : p.transports) s += estimate_run_seconds(p, t);
  }
  return s * std::max(1, repeat);
}

std::size_t suite_run_count(const Suite& suite, int repeat) {
  std::size_t n = 0;
  for (const auto& p : suite.points) n += p.transports.size();
  return n * static_cast<std::size_t>(std::max(1, repeat));
}

}  // namespace rtb
