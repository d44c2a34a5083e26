// Aggregate: the median with min and max of a figure across a point's repetitions, the way every table and
// plot of a suite reports it.
#pragma once

#include <cstddef>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "harness/runner/run_record.hpp"
#include "harness/runner/suite.hpp"
#include "harness/scenario/load_result.hpp"

namespace rtb {

struct Spread {
  double median = std::numeric_limits<double>::quiet_NaN();
  double min = std::numeric_limits<double>::quiet_NaN();
  double max = std::numeric_limits<double>::quiet_NaN();
  std::size_t count = 0;  // finite values it was made of
  bool valid() const { return count > 0; }
};

// NaN and infinite values (figures a run could not measure) are left out; an even count takes the mean of
// the two middle values. No values: every field NaN, count 0.
Spread spread_of(std::vector<double> values);

using ResultFigure = std::function<double(const LoadResult&)>;
Spread spread_of(const std::vector<const LoadResult*>& results, const ResultFigure& figure);

// "12.3 [11.9–13.0]" with `decimals`, the whole triple scaled by `scale`; "12.3" when min == max to that
// precision; "-" when there is no value.
std::string format_spread(const Spread& s, int decimals, double scale = 1.0);

// One point on one transport: its repetitions.
struct CaseResults {
  std::string point;
  std::string transport;
  std::vector<const RunRecord*> records;   // every run of the case, failed ones included
  std::vector<const LoadResult*> results;  // the runs that produced a result
};

// Groups by (point, transport): in the suite's point order and poll, longpoll, sse, ws when `suite` is given,
// else in order of first appearance. The pointers refer into `records`.
std::vector<CaseResults> group_cases(const std::vector<RunRecord>& records, const Suite* suite);

// The median of `figure` over the case's results (NaN when none measured it).
double median_of(const CaseResults& c, const ResultFigure& figure);

}  // namespace rtb
