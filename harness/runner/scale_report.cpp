#include "harness/runner/scale_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>

namespace rtb {

namespace {

// A run planned as one broadcast: one event in its window.
bool planned_broadcast(const LoadResult& r) {
  return std::abs(r.rate * r.duration_s - 1) < 1e-6;
}
// ... and measured as one: every connected client expected that one event.
bool one_broadcast(const LoadResult& r) {
  return r.connected > 0 && r.expected == r.connected;
}

double median(std::vector<double> v) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return !std::isfinite(x); }), v.end());
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

template <typename F>
double median_figure(const CaseResults& c, F f) {
  std::vector<double> v;
  for (const auto* r : c.results) v.push_back(f(*r));
  return median(v);
}

std::string figure(double v, const char* format) {
  return std::isfinite(v) ? fmt::format(fmt::runtime(format), v) : std::string("-");
}

std::string thousands(std::uint64_t n) {
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<std::size_t>(i), ",");
  return s;
}

// The point's planned client count: from a result, or from the tag ("c100000") of a case without one.
std::uint64_t planned_clients(const CaseResults& c) {
  if (!c.results.empty()) return c.results.front()->clients;
  if (c.point.size() > 1 && c.point[0] == 'c') return std::strtoull(c.point.c_str() + 1, nullptr, 10);
  return 0;
}

}  // namespace

std::string render_scale_section(const std::vector<CaseResults>& cases) {
  // transport -> clients -> case
  std::map<std::string, std::map<std::uint64_t, const CaseResults*>> by_transport;
  std::set<std::uint64_t> sizes;
  for (const auto& c : cases) {
    const bool broadcast = !c.results.empty() && planned_broadcast(*c.results.front());
    const bool failed = c.results.empty() && !c.records.empty();
    if (!broadcast && !failed) continue;
    const std::uint64_t n = planned_clients(c);
    if (n == 0) continue;
    by_transport[c.transport][n] = &c;
    sizes.insert(n);
  }
  if (sizes.size() < 2) return {};

  std::string out = "## Scale: idle connections and one broadcast to all\n\n";
  out +=
      "Per transport and client count: **connect/s** = clients connected / the connect phase (paced at most "
      "at --connect-rate); **server B/conn** = the server's RSS growth (all its workers) over the connect "
      "phase "
      "/ connections; **kernel B/socket** = socket slab growth / sockets (2 per connection: both ends are on "
      "this machine); **broadcast** = from the event's scheduled send to the last client having it "
      "(max latency: the publisher's lateness is in it, since the run records only its largest lateness, "
      "which may be the warm-up event's), the median client; **lost** over all clients.\n\n";
  for (const auto& [transport, by_clients] : by_transport) {
    out += fmt::format("### {}\n\n", transport);
    out +=
        "| clients | connected | connect/s | server B/conn | kernel B/socket | broadcast, last client (ms) | "
        "median client (ms) | lost |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    for (const auto& [n, c] : by_clients) {
      if (c->results.empty()) {
        const std::string why = c->records.empty() ? "not run" : c->records.front()->error;
        out += fmt::format("| {} | failed: {} | | | | | | |\n", thousands(n), why);
        continue;
      }
      if (!one_broadcast(*c->results.front())) {
        const LoadResult& r = *c->results.front();
        out += fmt::format(
            "| {} | {} | broadcast not measured: {} expected, {} delivered, {} connection errors | | | | | "
            "|\n",
            thousands(n), thousands(r.connected), thousands(r.expected), thousands(r.delivered),
            thousands(r.errors_total));
        continue;
      }
      const auto connected =
          median_figure(*c, [](const LoadResult& r) { return static_cast<double>(r.connected); });
      const auto lost = median_figure(*c, [](const LoadResult& r) { return static_cast<double>(r.lost); });
      out += fmt::format(
          "| {} | {} | {} | {} | {} | {} | {} | {} |\n", thousands(n),
          thousands(static_cast<std::uint64_t>(connected)),
          figure(median_figure(*c, [](const LoadResult& r) { return r.connects_per_s; }), "{:.0f}"),
          figure(median_figure(*c, [](const LoadResult& r) { return r.server_bytes_per_idle_conn; }),
                 "{:.0f}"),
          figure(median_figure(*c, [](const LoadResult& r) { return r.kernel_socket_bytes_per_conn; }),
                 "{:.0f}"),
          figure(median_figure(*c, [](const LoadResult& r) { return r.max_us / 1000; }), "{:.0f}"),
          figure(median_figure(*c, [](const LoadResult& r) { return r.p50_us / 1000; }), "{:.0f}"),
          thousands(static_cast<std::uint64_t>(lost)));
    }
    out += "\n";
  }

  // Where each transport stopped: the largest count held with every client connected and nothing lost.
  out += "### Where it stopped\n\n";
  for (const auto& [transport, by_clients] : by_transport) {
    std::uint64_t held = 0;
    std::string stop;
    for (const auto& [n, c] : by_clients) {
      if (c->results.empty()) {
        stop = fmt::format("{} clients did not run to the end: {}", thousands(n),
                           c->records.empty() ? "not run" : c->records.front()->error);
        break;
      }
      const LoadResult& r = *c->results.front();
      if (!one_broadcast(r)) {
        stop = fmt::format(
            "at {} clients the broadcast was not measured ({} expected of {} connected; {} connection "
            "errors, "
            "first: {})",
            thousands(n), thousands(r.expected), thousands(r.connected), thousands(r.errors_total),
            r.error_examples.empty() ? "none" : r.error_examples.front().second);
        break;
      }
      if (r.connected < r.clients || r.lost > 0) {
        stop = fmt::format("at {} clients {} connected and {} events were lost", thousands(n),
                           thousands(r.connected), thousands(r.lost));
        break;
      }
      held = n;
    }
    const auto small = by_clients.begin();
    std::string memory;
    if (held > 0 && small->first < held && !small->second->results.empty()) {
      const double at_small =
          median_figure(*small->second, [](const LoadResult& r) { return r.server_bytes_per_idle_conn; });
      const double at_held = median_figure(*by_clients.at(held),
                                           [](const LoadResult& r) { return r.server_bytes_per_idle_conn; });
      if (std::isfinite(at_small) && std::isfinite(at_held) && at_small > 0) {
        memory = fmt::format("; server memory per connection at {} is {:.2f}x the figure at {}",
                             thousands(held), at_held / at_small, thousands(small->first));
      }
    }
    out += fmt::format(
        "- **{}**: held {} connections with every client connected and the broadcast lost by "
        "none{}{}.\n",
        transport, thousands(held), memory,
        stop.empty() ? "; it did not stop short of the largest point" : "; " + stop);
  }
  out += "\n";
  return out;
}

}  // namespace rtb
