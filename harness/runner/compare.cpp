#include "harness/runner/compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>

#include "harness/metrics/json.hpp"
#include "harness/runner/result_figures.hpp"
#include "harness/runner/results_csv.hpp"

namespace rtb {

namespace {

struct Figure {
  const char* name;
  std::function<double(const LoadResult&)> value;
};

const std::vector<Figure>& figures() {
  static const std::vector<Figure> f = {
      {"p50_us", [](const LoadResult& r) { return r.p50_us; }},
      {"p99_us", [](const LoadResult& r) { return r.p99_us; }},
      {"app_bytes_per_event", [](const LoadResult& r) { return app_bytes_per_event(r); }},
      {"wire_bytes_per_event", [](const LoadResult& r) { return wire_bytes_per_event(r); }},
      {"requests_per_event", [](const LoadResult& r) { return r.requests_per_event; }},
      {"server_cpu_us_per_op", [](const LoadResult& r) { return r.server_cpu_us_per_op; }},
      {"server_bytes_per_idle_conn", [](const LoadResult& r) { return r.server_bytes_per_idle_conn; }},
      {"gen_cpu_us_per_op", [](const LoadResult& r) { return r.gen_cpu_us_per_op; }},
  };
  return f;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string fmt_num(double v) {
  if (!std::isfinite(v)) return "-";
  if (std::fabs(v) >= 100) return fmt::format("{:.0f}", v);
  if (std::fabs(v) >= 10) return fmt::format("{:.1f}", v);
  return fmt::format("{:.3g}", v);
}

constexpr const char* kMethod =
    "ratio = median of the result / median of the baseline over the repetitions (lower is better for every "
    "figure); 95% CI: percentile bootstrap of the ratio of medians (2,000 resamples, fixed seed); a "
    "difference only when the whole interval is on one side of 1";

}  // namespace

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::kBetter:
      return "better";
    case Verdict::kWorse:
      return "worse";
    case Verdict::kNoDifference:
      return "no_difference";
    case Verdict::kSingle:
      return "single";
  }
  return "";
}

const char* verdict_text(const ComparedFigure& f) {
  const bool time = f.figure.find("_us") != std::string::npos;
  switch (f.verdict) {
    case Verdict::kBetter:
      return time ? "faster" : "better (less)";
    case Verdict::kWorse:
      return time ? "slower" : "worse (more)";
    case Verdict::kNoDifference:
      return "no difference";
    case Verdict::kSingle:
      return "n=1: no interval";
  }
  return "";
}

std::string compare_json(const std::string& baseline, const std::vector<Comparison>& comparisons) {
  Json doc = Json::object();
  doc["tool"] = "rtbench compare";
  doc["baseline"] = baseline;
  doc["method"] = kMethod;
  Json list = Json::array();
  for (const auto& c : comparisons) {
    Json figures = Json::array();
    for (const auto& f : c.figures) {
      Json j = Json::object();
      j["point"] = f.point;
      j["transport"] = f.transport;
      j["figure"] = f.figure;
      j["baseline_median"] = f.baseline_median;
      j["candidate_median"] = f.candidate_median;
      j["baseline_n"] = f.baseline_n;
      j["candidate_n"] = f.candidate_n;
      j["ratio"] = f.interval.ratio;
      j["ci_low"] = f.interval.has_interval ? Json(f.interval.low) : Json(nullptr);
      j["ci_high"] = f.interval.has_interval ? Json(f.interval.high) : Json(nullptr);
      j["verdict"] = verdict_name(f.verdict);
      j["verdict_text"] = verdict_text(f);
      figures.push_back(std::move(j));
    }
    Json entry = Json::object();
    entry["candidate"] = c.candidate;
    entry["figures"] = std::move(figures);
    list.push_back(std::move(entry));
  }
  doc["comparisons"] = std::move(list);
  return json_text(doc) + "\n";
}

std::optional<ResultSet> read_result_set(const std::string& path, std::string* error) {
  namespace fs = std::filesystem;
  ResultSet set;
  set.label = path;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    std::string suite;
    auto records = read_results_csv(path + "/results.csv", &suite, error);
    if (!records) return std::nullopt;
    set.records = std::move(*records);
    return set;
  }
  std::ifstream in(path);
  if (!in) {
    if (error != nullptr) *error = fmt::format("{}: no such results folder or JSON file", path);
    return std::nullopt;
  }
  std::stringstream text;
  text << in.rdbuf();
  std::string why;
  auto result = load_result_from_json(text.str(), &why);
  if (!result) {
    if (error != nullptr) *error = fmt::format("{}: {}", path, why);
    return std::nullopt;
  }
  RunRecord rec;
  rec.point = "load";
  rec.transport = result->transport;
  rec.run_id = path;
  rec.result = std::move(*result);
  set.records.push_back(std::move(rec));
  return set;
}

Interval bootstrap_ratio(const std::vector<double>& a, const std::vector<double>& b, int iterations,
                         std::uint64_t seed) {
  Interval out;
  if (a.empty() || b.empty()) return out;
  const double ma = median(a);
  out.ratio = ma != 0 ? median(b) / ma : std::nan("");
  out.low = out.high = out.ratio;
  if (a.size() < 2 || b.size() < 2 || !std::isfinite(out.ratio)) return out;
  std::mt19937_64 rng(seed);
  std::vector<double> ratios;
  ratios.reserve(static_cast<std::size_t>(iterations));
  std::vector<double> ra(a.size()), rb(b.size());
  std::uniform_int_distribution<std::size_t> pick_a(0, a.size() - 1), pick_b(0, b.size() - 1);
  for (int i = 0; i < iterations; ++i) {
    for (auto& x : ra) x = a[pick_a(rng)];
    for (auto& x : rb) x = b[pick_b(rng)];
    const double m = median(ra);
    if (m != 0) ratios.push_back(median(rb) / m);
  }
  if (ratios.empty()) return out;
  std::sort(ratios.begin(), ratios.end());
  auto at = [&](double q) {
    return ratios[static_cast<std::size_t>(q * static_cast<double>(ratios.size() - 1))];
  };
  out.low = at(0.025);
  out.high = at(0.975);
  out.has_interval = true;
  return out;
}

std::vector<ComparedFigure> compare_sets(const ResultSet& base, const ResultSet& cand) {
  // (point, transport) -> figure values over the repetitions, in the baseline's order.
  using Key = std::pair<std::string, std::string>;
  auto collect = [](const ResultSet& s) {
    std::map<Key, std::vector<const LoadResult*>> m;
    for (const auto& r : s.records) {
      if (r.result) m[{r.point, r.transport}].push_back(&*r.result);
    }
    return m;
  };
  const auto a = collect(base);
  const auto b = collect(cand);
  std::vector<ComparedFigure> out;
  for (const auto& [key, runs_a] : a) {
    auto it = b.find(key);
    if (it == b.end()) continue;
    for (const auto& f : figures()) {
      std::vector<double> va, vb;
      for (const auto* r : runs_a) {
        if (double v = f.value(*r); std::isfinite(v)) va.push_back(v);
      }
      for (const auto* r : it->second) {
        if (double v = f.value(*r); std::isfinite(v)) vb.push_back(v);
      }
      if (va.empty() || vb.empty() || median(va) == 0) continue;  // no ratio to a baseline of 0
      ComparedFigure c;
      c.point = key.first;
      c.transport = key.second;
      c.figure = f.name;
      c.baseline_median = median(va);
      c.candidate_median = median(vb);
      c.baseline_n = va.size();
      c.candidate_n = vb.size();
      c.interval = bootstrap_ratio(va, vb);
      if (!c.interval.has_interval) {
        c.verdict = Verdict::kSingle;
      } else if (c.interval.low > 1) {
        c.verdict = Verdict::kWorse;
      } else if (c.interval.high < 1) {
        c.verdict = Verdict::kBetter;
      } else {
        c.verdict = Verdict::kNoDifference;
      }
      out.push_back(std::move(c));
    }
  }
  return out;
}

std::string compare_markdown(const ResultSet& base, const ResultSet& cand,
                             const std::vector<ComparedFigure>& f) {
  std::string out = fmt::format("## {} vs {} (baseline)\n\n", cand.label, base.label);
  if (f.empty()) return out + "No point and transport measured in both.\n\n";
  out +=
      "| point | transport | figure | baseline | this | ratio | 95% CI | verdict |\n"
      "|---|---|---|---:|---:|---:|---|---|\n";
  for (const auto& c : f) {
    out += fmt::format("| {} | {} | {} | {} | {} | {:.3f} | {} | {} |\n", c.point, c.transport, c.figure,
                       fmt_num(c.baseline_median), fmt_num(c.candidate_median), c.interval.ratio,
                       c.interval.has_interval ? fmt::format("{:.3f}-{:.3f}", c.interval.low, c.interval.high)
                                               : fmt::format("n={}/{}", c.baseline_n, c.candidate_n),
                       verdict_text(c));
  }
  out +=
      "\nRatio = median of this result / median of the baseline (lower is better for every figure). 95% CI: "
      "percentile bootstrap of the ratio of medians over the repetitions (2,000 resamples, fixed seed); the "
      "verdict is a difference only when the whole interval is on one side of 1.\n\n";
  return out;
}

bool worse_beyond(const std::vector<ComparedFigure>& figures, double pct, std::string* which) {
  const double limit = 1 + pct / 100;
  for (const auto& c : figures) {
    const bool worse = c.verdict == Verdict::kWorse    ? c.interval.low > limit
                       : c.verdict == Verdict::kSingle ? c.interval.ratio > limit
                                                       : false;
    if (worse) {
      if (which != nullptr) {
        *which = fmt::format("{} {} {}: ratio {:.3f} > {:.3f}", c.point, c.transport, c.figure,
                             c.interval.ratio, limit);
      }
      return true;
    }
  }
  return false;
}

}  // namespace rtb
