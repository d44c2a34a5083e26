// results.csv of a suite: one tidy row per point and repetition, the generator's columns prefixed by the
// columns that say which point, run and repetition the row is.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/runner/run_record.hpp"

namespace rtb {

// The runner's own columns, in order, with their one-line documentation (harness/runner/README.md repeats
// them); the generator's follow (load_result_columns()).
struct RunnerColumn {
  std::string_view name;
  std::string_view doc;
};
const std::vector<RunnerColumn>& runner_columns();

std::vector<std::string> results_csv_header();
// Only for records with a result.
std::vector<std::string> results_csv_row(std::string_view suite, const RunRecord& record);

// Reads a results.csv back (the latency histograms are not in it: read points/<run>.json for those).
// *suite gets the suite column of the first row.
std::optional<std::vector<RunRecord>> read_results_csv(const std::string& path, std::string* suite,
                                                       std::string* error);

// One CSV line (RFC 4180 quoting, no embedded line breaks) split into fields.
std::vector<std::string> split_csv_line(std::string_view line);

}  // namespace rtb
