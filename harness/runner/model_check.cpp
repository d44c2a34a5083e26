#include "harness/runner/model_check.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <string>
#include <string_view>

#include "transports/table/transport_table.hpp"

namespace rtb {

namespace {

double median(const CaseResults& c, const ResultFigure& f) {
  return spread_of(c.results, f).median;
}

ModelCheck make(const CaseResults& c, std::string figure, double measured, double model, std::string text,
                double tolerance) {
  ModelCheck m;
  m.point = c.point;
  m.transport = c.transport;
  m.figure = std::move(figure);
  m.measured = measured;
  m.model = model;
  m.model_text = std::move(text);
  m.tolerance = tolerance;
  m.agrees = std::isfinite(measured) && std::isfinite(model) &&
             std::fabs(measured - model) <= tolerance * std::fabs(model) + 1e-9;
  return m;
}

// Three significant figures without switching to exponents: 1342, 68.7, 0.743.
std::string number(double v) {
  if (!std::isfinite(v)) return "-";
  const double a = std::fabs(v);
  if (a >= 100) return fmt::format("{:.0f}", v);
  if (a >= 10) return fmt::format("{:.1f}", v);
  if (a >= 1) return fmt::format("{:.2f}", v);
  return fmt::format("{:.3g}", v);
}

// An event waits for the next poll of each client: latency and requests per event follow from the interval.
void check_polled(const CaseResults& c, double transit_ms, const std::string& transit_from,
                  std::vector<ModelCheck>& out) {
  const CaseResults* poll = &c;
  const LoadResult& r0 = *poll->results.front();
  const double interval = static_cast<double>(r0.poll_interval_ms);
  auto p50_ms = [](const LoadResult& r) { return r.p50_us / 1000; };
  auto requests_per_event = [](const LoadResult& r) { return r.requests_per_event; };
  // The generator reports the interval its clients actually kept. Where their timers ran late, the model
  // with that interval tells a wrong model from a late timer.
  const double kept = median(*poll, [](const LoadResult& r) { return r.effective_poll_interval_ms; });
  const bool late = std::isfinite(kept) && kept > 0 && std::fabs(kept - interval) > 0.05 * interval;
  if (late) {
    out.push_back(
        make(*poll, "interval the clients kept (ms)", kept, interval, "the interval asked for", 0.05));
  }
  if (r0.rate > 0) {
    // An event waits for the next poll of each client: uniform over one interval.
    out.push_back(make(*poll, "p50 latency (ms)", median(*poll, p50_ms), interval / 2 + transit_ms,
                       fmt::format("interval/2 + transit = {:.0f} + {}", interval / 2, transit_from), 0.2));
    out.push_back(
        make(*poll, "p99 latency (ms)", median(*poll, [](const LoadResult& r) { return r.p99_us / 1000; }),
             0.99 * interval + transit_ms,
             fmt::format("0.99 x interval + transit = {:.0f} + {}", 0.99 * interval, transit_from), 0.2));
    // Every poll returns all events since the last one, so requests per event is polls/s over events/s.
    out.push_back(
        make(*poll, "requests per event", median(*poll, requests_per_event), 1000 / (interval * r0.rate),
             fmt::format("1000 / (interval x rate) = 1000 / ({:.0f} x {})", interval, r0.rate), 0.15));
    if (late) {
      out.push_back(
          make(*poll, "p50 latency with the kept interval (ms)", median(*poll, p50_ms), kept / 2 + transit_ms,
               fmt::format("kept interval/2 + transit = {:.0f} + {}", kept / 2, transit_from), 0.2));
      out.push_back(
          make(*poll, "p99 latency with the kept interval (ms)",
               median(*poll, [](const LoadResult& r) { return r.p99_us / 1000; }), 0.99 * kept + transit_ms,
               fmt::format("0.99 x kept interval + transit = {:.0f} + {}", 0.99 * kept, transit_from), 0.2));
      out.push_back(make(*poll, "requests per event with the kept interval",
                         median(*poll, requests_per_event), 1000 / (kept * r0.rate),
                         fmt::format("1000 / (kept interval x rate) = 1000 / ({:.0f} x {})", kept, r0.rate),
                         0.15));
    }
  } else {
    auto per_client = [](const LoadResult& r) {
      return r.connected == 0 ? NAN : r.requests_per_s / static_cast<double>(r.connected);
    };
    out.push_back(make(*poll, "requests/s per idle client", median(*poll, per_client), 1000 / interval,
                       fmt::format("1000 / interval = 1000 / {:.0f}", interval), 0.15));
    if (late) {
      out.push_back(make(*poll, "requests/s per idle client with the kept interval",
                         median(*poll, per_client), 1000 / kept,
                         fmt::format("1000 / kept interval = 1000 / {:.0f}", kept), 0.15));
    }
  }
}

// A parked request is answered by the next event: one transit, one request per event.
void check_parked(const CaseResults& c, double transit_ms, const std::string& transit_from,
                  std::vector<ModelCheck>& out) {
  const CaseResults* lp = &c;
  const LoadResult& r0 = *lp->results.front();
  if (r0.rate > 0 && transit_ms > 0) {
    // RFC 6202 section 2.2: a parked request delivers an event in one transit; only an event that arrives
    // while the client is re-requesting waits longer (up to three transits).
    out.push_back(make(*lp, "p50 latency (ms)",
                       median(*lp, [](const LoadResult& r) { return r.p50_us / 1000; }), transit_ms,
                       fmt::format("one transit (RFC 6202) = {}", transit_from), 0.5));
  }
  if (r0.rate > 0 && r0.rate <= 100) {
    // Events far apart compared with a round trip: each event completes exactly one parked request.
    out.push_back(make(*lp, "requests per event",
                       median(*lp, [](const LoadResult& r) { return r.requests_per_event; }), 1,
                       "one request per event when events are rarer than a round trip", 0.1));
  }
}

// One handshake per connection, before the window: no requests per event.
void check_streamed(const CaseResults& c, std::vector<ModelCheck>& out) {
  if (c.results.front()->rate <= 0) return;
  out.push_back(make(c, "requests per event",
                     median(c, [](const LoadResult& r) { return r.requests_per_event; }), 0,
                     "0: one handshake per connection, before the window", 0));
}

}  // namespace

std::vector<ModelCheck> check_models(const std::vector<CaseResults>& cases) {
  std::map<std::string, std::map<std::string, const CaseResults*>> by_point;
  std::vector<std::string> order;
  for (const auto& c : cases) {
    if (c.results.empty()) continue;
    if (by_point.find(c.point) == by_point.end()) order.push_back(c.point);
    by_point[c.point][c.transport] = &c;
  }
  std::vector<ModelCheck> out;
  for (const auto& point : order) {
    const auto& t = by_point[point];
    auto get = [&t](std::string_view name) -> const CaseResults* {
      auto it = t.find(std::string(name));
      return it == t.end() ? nullptr : it->second;
    };
    // One network transit, taken from a streaming transport at the same point (nothing waits there).
    double transit_ms = 0;
    std::string transit_from = "0 (no streaming transport at this point)";
    for (const TransportModule* m : transport_table()) {
      if (m->delivery != Delivery::kStreamed) continue;
      if (const CaseResults* s = get(m->name)) {
        transit_ms = median(*s, [](const LoadResult& r) { return r.p50_us; }) / 1000;
        if (std::isfinite(transit_ms)) {
          transit_from = fmt::format("{:.1f} ({} p50)", transit_ms, m->name);
          break;
        }
        transit_ms = 0;
      }
    }

    for (const TransportModule* m : transport_table()) {
      const CaseResults* c = get(m->name);
      if (c == nullptr) continue;
      switch (m->delivery) {
        case Delivery::kPolled:
          check_polled(*c, transit_ms, transit_from, out);
          break;
        case Delivery::kParked:
          check_parked(*c, transit_ms, transit_from, out);
          break;
        case Delivery::kStreamed:
          check_streamed(*c, out);
          break;
      }
    }
  }
  return out;
}

std::string render_model_section(const std::vector<ModelCheck>& checks) {
  if (checks.empty()) return {};
  std::string out = "## Measurements against the models\n\n";
  out += "| point | transport | figure | measured | model | how the model value is made | verdict |\n";
  out += "|---|---|---|---:|---:|---|---|\n";
  std::vector<std::string> agree, disagree;
  for (const auto& c : checks) {
    const double off = c.model != 0 ? (c.measured - c.model) / c.model * 100 : NAN;
    std::string verdict =
        c.agrees ? "agrees" : (std::isfinite(off) ? fmt::format("off by {:+.0f}%", off) : "disagrees");
    out += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", c.point, c.transport, c.figure,
                       number(c.measured), number(c.model), c.model_text, verdict);
    (c.agrees ? agree : disagree).push_back(fmt::format("{} {} {}", c.point, c.transport, c.figure));
  }
  out += "\n";
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : "; ") + x;
    return s.empty() ? std::string("none") : s;
  };
  out += fmt::format(
      "**Agree** (within tolerance: latency ±20%, requests ±10-15%, long-poll latency ±50%): {}.\n\n",
      join(agree));
  out += fmt::format("**Disagree**: {}.\n\n", join(disagree));
  return out;
}

}  // namespace rtb
