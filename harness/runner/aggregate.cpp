#include "harness/runner/aggregate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace rtb {

Spread spread_of(std::vector<double> values) {
  values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return !std::isfinite(v); }),
               values.end());
  Spread s;
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  s.count = n;
  s.min = values.front();
  s.max = values.back();
  s.median = n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  return s;
}

Spread spread_of(const std::vector<const LoadResult*>& results, const ResultFigure& figure) {
  std::vector<double> values;
  values.reserve(results.size());
  for (const LoadResult* r : results) values.push_back(figure(*r));
  return spread_of(std::move(values));
}

std::string format_spread(const Spread& s, int decimals, double scale) {
  if (!s.valid()) return "-";
  std::string median = fmt::format("{:.{}f}", s.median * scale, decimals);
  std::string lo = fmt::format("{:.{}f}", s.min * scale, decimals);
  std::string hi = fmt::format("{:.{}f}", s.max * scale, decimals);
  if (lo == hi) return median;
  // An en dash, so a negative bound (a memory delta can be one) still reads unambiguously.
  return fmt::format("{} [{}–{}]", median, lo, hi);
}

std::vector<CaseResults> group_cases(const std::vector<RunRecord>& records, const Suite* suite) {
  std::vector<CaseResults> cases;
  auto find = [&cases](const std::string& point, const std::string& transport) -> CaseResults* {
    for (auto& c : cases) {
      if (c.point == point && c.transport == transport) return &c;
    }
    return nullptr;
  };
  if (suite != nullptr) {
    for (const auto& p : suite->points) {
      for (auto t : all_transports()) {
        if (std::find(p.transports.begin(), p.transports.end(), t) == p.transports.end()) continue;
        cases.push_back({p.tag, std::string(transport_name(t)), {}, {}});
      }
    }
  }
  for (const auto& r : records) {
    CaseResults* c = find(r.point, r.transport);
    if (c == nullptr) {
      cases.push_back({r.point, r.transport, {}, {}});
      c = &cases.back();
    }
    c->records.push_back(&r);
    if (r.result) c->results.push_back(&*r.result);
  }
  // Cases the suite defines but that never ran (an interrupted suite) are left out.
  cases.erase(
      std::remove_if(cases.begin(), cases.end(), [](const CaseResults& c) { return c.records.empty(); }),
      cases.end());
  return cases;
}

double median_of(const CaseResults& c, const ResultFigure& figure) {
  return spread_of(c.results, figure).median;
}

}  // namespace rtb
