#include "harness/runner/proxy_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

namespace rtb {

namespace {

using CaseKey = std::pair<std::string, std::string>;  // point, transport

using CaseIndex = std::map<CaseKey, const CaseResults*>;

CaseIndex index_cases(const std::vector<CaseResults>& cases) {
  CaseIndex by_case;
  for (const auto& c : cases) by_case[{c.point, c.transport}] = &c;
  return by_case;
}

std::string cell_value(double v, int decimals) {
  return std::isfinite(v) ? fmt::format("{:.{}f}", v, decimals) : std::string("-");
}

std::uint64_t worst(const CaseResults& c, std::uint64_t LoadResult::*field) {
  std::uint64_t w = 0;
  for (const LoadResult* r : c.results) w = std::max(w, r->*field);
  return w;
}

// The generator's own words for a run that produced nothing, without the runner's wrapping.
std::string run_error(const RunRecord& r) {
  std::string e = r.error;
  if (auto at = e.find("its log: "); at != std::string::npos) e = e.substr(at + 9);
  std::replace(e.begin(), e.end(), '\n', ' ');
  std::replace(e.begin(), e.end(), '|', '/');
  if (e.size() > 220) e = e.substr(0, 217) + "...";
  return e;
}

std::string first_error(const CaseResults& c) {
  for (const LoadResult* r : c.results) {
    if (!r->error_examples.empty()) {
      std::string e = r->error_examples.front().second;
      std::replace(e.begin(), e.end(), '|', '/');
      if (e.size() > 140) e = e.substr(0, 137) + "...";
      return e;
    }
  }
  return {};
}

double per_request_us(const LoadResult& r, double cpu_s) {
  return r.requests == 0 ? NAN : cpu_s * 1e6 / static_cast<double>(r.requests);
}

std::string cost_table(const std::vector<std::pair<const CaseResults*, const CaseResults*>>& rows) {
  std::string out =
      "| transport | added p50 ms | added p99 ms | proxy CPU us/event | proxy CPU us/request | proxy B/conn "
      "| "
      "client side B/event | server side B/event | server CPU us/event |\n"
      "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& row : rows) {
    const CaseResults* b = row.first;
    const CaseResults* p = row.second;
    auto both = [&](const ResultFigure& f) { return std::pair{median_of(*b, f), median_of(*p, f)}; };
    const auto [b50, p50] = both([](const LoadResult& r) { return r.p50_us / 1000; });
    const auto [b99, p99] = both([](const LoadResult& r) { return r.p99_us / 1000; });
    const auto [bcpu, pcpu] = both([](const LoadResult& r) { return r.server_cpu_us_per_op; });
    out += fmt::format(
        "| {} | {} | {} | {} | {} | {} | {} | {} | {} → {} |\n", p->transport, cell_value(p50 - b50, 2),
        cell_value(p99 - b99, 2),
        cell_value(median_of(*p, [](const LoadResult& r) { return r.proxy_cpu_us_per_op; }), 2),
        cell_value(median_of(*p, [](const LoadResult& r) { return per_request_us(r, r.proxy_cpu_s); }), 1),
        cell_value(median_of(*p, [](const LoadResult& r) { return r.proxy_bytes_per_idle_conn; }), 0),
        cell_value(
            median_of(*p, [](const LoadResult& r) { return r.bytes_up_per_event + r.bytes_down_per_event; }),
            1),
        cell_value(median_of(*p, [](const LoadResult& r) { return r.proxy_server_side_bytes_per_event; }), 1),
        cell_value(bcpu, 2), cell_value(pcpu, 2));
  }
  return out;
}

// HAProxy's two modes on the same load: what parsing every request (L7) costs over copying bytes (L4).
std::string l4_vs_l7(const CaseIndex& by_case, const Suite& suite) {
  const SuitePoint* l4 = nullptr;
  const SuitePoint* l7 = nullptr;
  for (const auto& p : suite.points) {
    if (!p.intermediary || p.baseline.empty()) continue;
    if (p.intermediary->kind == IntermediaryKind::kHaproxyTcp && l4 == nullptr) l4 = &p;
    if (p.intermediary->kind == IntermediaryKind::kHaproxyHttp && l7 == nullptr) l7 = &p;
  }
  if (l4 == nullptr || l7 == nullptr) return {};
  std::string rows;
  for (auto t : l7->transports) {
    const std::string name(transport_name(t));
    auto a = by_case.find({l4->tag, name});
    auto b = by_case.find({l7->tag, name});
    if (a == by_case.end() || b == by_case.end() || a->second->results.empty() || b->second->results.empty())
      continue;
    auto per_event = [](const LoadResult& r) { return r.proxy_cpu_us_per_op; };
    auto per_request = [](const LoadResult& r) { return per_request_us(r, r.proxy_cpu_s); };
    const double e4 = median_of(*a->second, per_event), e7 = median_of(*b->second, per_event);
    rows += fmt::format("| {} | {} | {} | {} | {} | {} |\n", name, cell_value(e4, 2), cell_value(e7, 2),
                        cell_value(e7 / e4, 2), cell_value(median_of(*a->second, per_request), 1),
                        cell_value(median_of(*b->second, per_request), 1));
  }
  if (rows.empty()) return {};
  return fmt::format(
      "### HAProxy L4 (`{}`) vs L7 (`{}`)\n\n"
      "| transport | L4 CPU us/event | L7 CPU us/event | L7 / L4 | L4 CPU us/request | L7 CPU us/request |\n"
      "|---|---:|---:|---:|---:|---:|\n{}\n"
      "L4 copies bytes and chooses a server once per connection. L7 parses every request and response head "
      "and "
      "chooses a server per request: each poll and long poll is balanced on its own, while a WebSocket is "
      "one "
      "request (the handshake) and then a tunnel L7 no longer reads, so after the upgrade the two modes do "
      "the "
      "same work.\n\n",
      l4->tag, l7->tag, rows);
}

}  // namespace

std::string clients_saw(const CaseResults& c) {
  if (c.results.empty()) {
    for (const RunRecord* r : c.records) {
      if (!r->error.empty()) return "no result: " + run_error(*r);
    }
    return "no run";
  }
  const LoadResult& first = *c.results.front();
  std::string s = fmt::format("{} of {} delivered, {} lost", first.delivered, first.expected,
                              worst(c, &LoadResult::lost));
  s += fmt::format("; p50 {} ms, p99 {} ms",
                   cell_value(median_of(c, [](const LoadResult& r) { return r.p50_us / 1000; }), 1),
                   cell_value(median_of(c, [](const LoadResult& r) { return r.p99_us / 1000; }), 1));
  if (const std::uint64_t errors = worst(c, &LoadResult::errors_total); errors > 0) {
    s += fmt::format("; {} errors", errors);
    if (std::string e = first_error(c); !e.empty()) s += fmt::format(" (first: {})", e);
  }
  if (const std::uint64_t again = worst(c, &LoadResult::connects); again > 0) {
    s += fmt::format("; {} reconnects", again);
  }
  if (c.results.size() < c.records.size()) {
    s += fmt::format("; {} of {} runs without a result", c.records.size() - c.results.size(),
                     c.records.size());
  }
  return s;
}

bool case_clean(const CaseResults& c) {
  if (c.results.empty() || c.results.size() < c.records.size()) return false;
  return worst(c, &LoadResult::lost) == 0 && worst(c, &LoadResult::errors_total) == 0 &&
         worst(c, &LoadResult::connects) == 0;
}

std::string render_intermediary_section(const std::vector<CaseResults>& cases, const Suite* suite) {
  if (suite == nullptr) return {};
  const auto by_case = index_cases(cases);
  std::string out;
  for (const auto& point : suite->points) {
    if (!point.intermediary || point.baseline.empty()) continue;
    std::vector<std::pair<const CaseResults*, const CaseResults*>> rows;
    for (auto t : point.transports) {
      const std::string name(transport_name(t));
      auto b = by_case.find({point.baseline, name});
      auto p = by_case.find({point.tag, name});
      if (b != by_case.end() && p != by_case.end() && !b->second->results.empty() &&
          !p->second->results.empty()) {
        rows.emplace_back(b->second, p->second);
      }
    }
    if (rows.empty()) continue;
    out += fmt::format("### `{}`: {}\n\n", point.tag, point.note);
    out += cost_table(rows) + "\n";
  }
  if (out.empty()) return {};
  return "## Through an intermediary (median of the repetitions, against the same load straight to the "
         "server)\n\n" +
         out +
         "added p50/p99: this point's latency minus the direct one's (publish to receive, so the proxy's hop "
         "is in it once). proxy CPU: the proxy process's CPU (user + system) per delivered event, and per "
         "HTTP "
         "request the subscribers sent (polling). proxy B/conn: its RSS growth per idle connection. client "
         "side: the subscribers' bytes per event; server side: the bytes between proxy and server per event, "
         "counted at the server (what it read and wrote, less the publisher's posts). server CPU: direct → "
         "through the proxy. A short poll's latency is its poll "
         "phase "
         "(half the interval on average), so its added latency is mostly that phase's noise.\n\n" +
         l4_vs_l7(by_case, *suite);
}

namespace {

// A row's fix holds for one transport when, with the fix, every repetition delivered every event with no
// error and no reconnect; a row with nothing to fix (a proxy killed and restarted) holds when the broken
// setup itself lost no event: reconnects and their errors are the fault, loss is what must not happen.
bool all_skipped(const CaseIndex& by_case, const std::string& point, const std::string& transport) {
  auto c = by_case.find({point, transport});
  if (c == by_case.end() || c->second->records.empty()) return false;
  for (const RunRecord* r : c->second->records) {
    if (!run_skipped(*r)) return false;
  }
  return true;
}

bool fix_verified(const FailureRow& row, const std::string& transport, const CaseIndex& by_case) {
  if (row.fixed.empty()) {
    auto broken = by_case.find({row.broken, transport});
    if (broken == by_case.end()) return false;
    const CaseResults& b = *broken->second;
    return !b.results.empty() && b.results.size() == b.records.size() && worst(b, &LoadResult::lost) == 0;
  }
  auto fixed = by_case.find({row.fixed, transport});
  return fixed != by_case.end() && case_clean(*fixed->second);
}

}  // namespace

std::string render_failure_table(const std::vector<CaseResults>& cases, const Suite* suite) {
  if (suite == nullptr || suite->failure_rows.empty()) return {};
  const auto by_case = index_cases(cases);
  std::string out =
      "## What breaks where (each row run as set up, then with the fix)\n\n"
      "| setup | transport | what the clients saw | the fix | with the fix | fix verified |\n"
      "|---|---|---|---|---|---|\n";
  for (const FailureRow& row : suite->failure_rows) {
    for (auto t : row.transports) {
      const std::string name(transport_name(t));
      auto broken = by_case.find({row.broken, name});
      if (broken == by_case.end()) continue;
      std::string fixed_saw = "-";
      if (!row.fixed.empty()) {
        auto fixed = by_case.find({row.fixed, name});
        fixed_saw = fixed != by_case.end() ? clients_saw(*fixed->second) : "not run";
      }
      // A row whose proxy was skipped showed nothing, so it verified nothing either way.
      const bool skipped = all_skipped(by_case, row.broken, name) ||
                           (!row.fixed.empty() && all_skipped(by_case, row.fixed, name));
      out += fmt::format("| {} (`{}`) | {} | {} | {} | {} | {} |\n", row.setup, row.broken, name,
                         clients_saw(*broken->second), row.fix, fixed_saw,
                         skipped                            ? "skipped"
                         : fix_verified(row, name, by_case) ? "yes"
                                                            : "**no**");
    }
  }
  return out +
         "\nfix verified: with the fix every repetition delivered every event with no error and no "
         "reconnect; where nothing needs fixing, the run itself lost no event. reconnects: TCP connections "
         "the subscribers opened in the measure window.\n\n";
}

std::vector<std::string> unverified_fixes(const std::vector<CaseResults>& cases, const Suite* suite) {
  std::vector<std::string> out;
  if (suite == nullptr) return out;
  const auto by_case = index_cases(cases);
  for (const FailureRow& row : suite->failure_rows) {
    for (auto t : row.transports) {
      const std::string name(transport_name(t));
      if (!by_case.contains({row.broken, name})) continue;  // the transport was not run on this row
      // A proxy that is not installed or did not start skips its points: nothing was shown, so nothing
      // failed.
      if (all_skipped(by_case, row.broken, name) ||
          (!row.fixed.empty() && all_skipped(by_case, row.fixed, name)))
        continue;
      if (!fix_verified(row, name, by_case)) out.push_back(fmt::format("{} ({})", row.setup, name));
    }
  }
  return out;
}

}  // namespace rtb
