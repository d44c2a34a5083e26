// `rtbench compare A B [C...]`: the same points of two or more results side by side, each figure as a ratio
// to the first result (the baseline) with a 95% bootstrap confidence interval over the repetitions, and a
// verdict per figure: better, worse or no difference.
//
// Method: percentile bootstrap of the ratio of medians. Each of B iterations (2,000, fixed seed, so the
// output is reproducible) resamples the baseline's repetitions and the candidate's repetitions with
// replacement and takes median(candidate) / median(baseline); the interval is the 2.5th and 97.5th
// percentiles of those ratios. Every figure compared is "lower is better" (latency, bytes, requests, CPU,
// memory). Verdict: the whole interval above 1 -> worse ("slower" for latency and CPU), below 1 -> better,
// otherwise no difference. With one repetition on a side there is no interval; the verdict is then "n=1".
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "harness/runner/run_record.hpp"

namespace rtb {

struct ResultSet {
  std::string label;  // the folder or file as given
  std::vector<RunRecord> records;
};

// A results folder (its results.csv) or one `rtbench load --json` file; nullopt with the reason in *error.
std::optional<ResultSet> read_result_set(const std::string& path, std::string* error);

struct Interval {
  double ratio = 0;  // median(candidate) / median(baseline)
  double low = 0, high = 0;
  bool has_interval = false;  // false when a side has a single repetition
};
// The percentile bootstrap described above; `iterations` resamples, deterministic for a given seed.
Interval bootstrap_ratio(const std::vector<double>& baseline, const std::vector<double>& candidate,
                         int iterations = 2000, std::uint64_t seed = 1);

enum class Verdict { kBetter, kWorse, kNoDifference, kSingle };

struct ComparedFigure {
  std::string point, transport, figure;
  double baseline_median = 0, candidate_median = 0;
  std::size_t baseline_n = 0, candidate_n = 0;
  Interval interval;
  Verdict verdict = Verdict::kNoDifference;
};

// Every (point, transport, figure) both sets measured; NaN figures are left out.
std::vector<ComparedFigure> compare_sets(const ResultSet& baseline, const ResultSet& candidate);

std::string compare_markdown(const ResultSet& baseline, const ResultSet& candidate,
                             const std::vector<ComparedFigure>& figures);

// "better", "worse", "no_difference", "single" (one repetition on a side: no interval).
const char* verdict_name(Verdict verdict);
// What the markdown says: "faster"/"slower" for times, "better (less)"/"worse (more)" otherwise, ...
const char* verdict_text(const ComparedFigure& figure);

struct Comparison {
  std::string candidate;  // the result's label
  std::vector<ComparedFigure> figures;
};
// compare.json, what scripts/plot_compare.py draws: {"tool", "baseline", "method", "comparisons": [
// {"candidate", "figures": [{"point", "transport", "figure", "baseline_median", "candidate_median",
// "baseline_n", "candidate_n", "ratio", "ci_low", "ci_high" (null without an interval), "verdict"
// (verdict_name), "verdict_text"}]}]}.
std::string compare_json(const std::string& baseline, const std::vector<Comparison>& comparisons);

// True when a figure is worse with its interval above 1 + pct/100 (n=1: its ratio above that).
bool worse_beyond(const std::vector<ComparedFigure>& figures, double pct, std::string* which);

}  // namespace rtb
