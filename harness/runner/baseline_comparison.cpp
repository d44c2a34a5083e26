#include "harness/runner/baseline_comparison.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <utility>

#include "harness/runner/result_figures.hpp"

namespace rtb {

namespace {

std::string value(double v, int decimals) {
  return std::isfinite(v) ? fmt::format("{:.{}f}", v, decimals) : std::string("-");
}

// "base → this (ratio x)": the ratio only when both are measured and the base is not 0.
std::string versus(double base, double now, int decimals) {
  if (!std::isfinite(base) && !std::isfinite(now)) return "-";
  std::string s = value(base, decimals) + " → " + value(now, decimals);
  if (std::isfinite(base) && std::isfinite(now) && base > 0) s += fmt::format(" ({:.2f}x)", now / base);
  return s;
}

double per_request(const LoadResult& r, double total) {
  return r.requests == 0 ? NAN : total / static_cast<double>(r.requests);
}

std::string pair_table(const std::vector<std::pair<const CaseResults*, const CaseResults*>>& rows) {
  bool any_events = false, any_requests = false;
  for (const auto& [b, p] : rows) {
    any_events = any_events || b->results.front()->rate > 0;
    any_requests = any_requests || b->results.front()->connection_per_request != 0;
  }
  std::string header = "| transport |";
  std::string rule = "|---|";
  if (any_events) {
    header += " server CPU us/event | p50 ms | p99 ms | TCP B/event | TLS overhead B/event |";
    rule += "---:|---:|---:|---:|---:|";
  }
  if (any_requests) {
    header += " server CPU us/request | TLS B/request | handshakes resumed |";
    rule += "---:|---:|---:|";
  }
  header += " server B/conn |";
  rule += "---:|";
  std::string out = header + "\n" + rule + "\n";
  auto figure = [](const CaseResults& c, const ResultFigure& f) { return median_of(c, f); };
  for (const auto& [b, p] : rows) {
    std::string row = fmt::format("| {} |", p->transport);
    if (any_events) {
      row += fmt::format(
          " {} | {} | {} | {} | {} |",
          versus(figure(*b, [](const LoadResult& r) { return r.server_cpu_us_per_op; }),
                 figure(*p, [](const LoadResult& r) { return r.server_cpu_us_per_op; }), 2),
          versus(figure(*b, [](const LoadResult& r) { return r.p50_us / 1000; }),
                 figure(*p, [](const LoadResult& r) { return r.p50_us / 1000; }), 2),
          versus(figure(*b, [](const LoadResult& r) { return r.p99_us / 1000; }),
                 figure(*p, [](const LoadResult& r) { return r.p99_us / 1000; }), 2),
          versus(figure(*b, tcp_payload_bytes_per_event), figure(*p, tcp_payload_bytes_per_event), 1),
          value(figure(*p, [](const LoadResult& r) { return r.tls_overhead_bytes_per_event; }), 1));
    }
    if (any_requests) {
      const double handshakes = figure(*p, [](const LoadResult& r) { return double(r.tls_handshakes); });
      const double resumed = figure(*p, [](const LoadResult& r) { return double(r.tls_resumed); });
      row += fmt::format(
          " {} | {} | {} |",
          versus(figure(*b, [](const LoadResult& r) { return per_request(r, r.server_cpu_s * 1e6); }),
                 figure(*p, [](const LoadResult& r) { return per_request(r, r.server_cpu_s * 1e6); }), 1),
          value(figure(*p,
                       [](const LoadResult& r) {
                         return r.tls.empty() ? NAN
                                              : per_request(r, double(r.tls_bytes_up + r.tls_bytes_down));
                       }),
                0),
          handshakes > 0 ? fmt::format("{:.0f}%", 100 * resumed / handshakes) : std::string("-"));
    }
    row += fmt::format(
        " {} |", versus(figure(*b, [](const LoadResult& r) { return r.server_bytes_per_idle_conn; }),
                        figure(*p, [](const LoadResult& r) { return r.server_bytes_per_idle_conn; }), 0));
    out += row + "\n";
  }
  return out;
}

}  // namespace

std::string render_baseline_section(const std::vector<CaseResults>& cases, const Suite* suite) {
  if (suite == nullptr) return {};
  std::map<std::pair<std::string, std::string>, const CaseResults*> by_case;
  for (const auto& c : cases) {
    if (!c.results.empty()) by_case[{c.point, c.transport}] = &c;
  }
  std::string out;
  for (const auto& point : suite->points) {
    if (point.baseline.empty()) continue;
    std::vector<std::pair<const CaseResults*, const CaseResults*>> rows;
    for (auto t : point.transports) {
      const std::string name(transport_name(t));
      auto b = by_case.find({point.baseline, name});
      auto p = by_case.find({point.tag, name});
      if (b != by_case.end() && p != by_case.end()) rows.emplace_back(b->second, p->second);
    }
    if (rows.empty()) continue;
    out += fmt::format("### `{}` against `{}`\n\n", point.tag, point.baseline);
    if (!point.note.empty()) out += point.note + "\n\n";
    out += pair_table(rows) + "\n";
  }
  if (out.empty()) return {};
  return "## Against the baseline (median of the repetitions: baseline → this point, ratio)\n\n" + out +
         "server CPU us/event: the server's CPU (user + system) per delivered event. TCP B/event: what TCP "
         "carried per event (the application bytes, or over TLS the records and handshakes holding them). "
         "TLS "
         "overhead B/event: TCP B/event minus the application bytes. With a connection per request, server "
         "CPU us/request includes accepting the connection and, over TLS, its handshake; handshakes resumed: "
         "the share of the subscribers' handshakes that resumed a session. server B/conn: the server's RSS "
         "growth per idle connection.\n\n";
}

}  // namespace rtb
