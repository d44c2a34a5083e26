#include "harness/runner/results_csv.hpp"

#include <fmt/format.h>

#include <charconv>
#include <fstream>

namespace rtb {

const std::vector<RunnerColumn>& runner_columns() {
  static const std::vector<RunnerColumn> columns = {
      {"suite", "the suite the row belongs to (rtbench run --suite)"},
      {"point", "the suite point's tag: one configuration of the matrix, run on each of its transports"},
      {"run", "the run's id, which names its files: points/<run>.json, spectra/<run>.hgrm, logs/<run>.*.log"},
      {"repetition", "1-based repetition of this point and transport"},
      {"load_exit_status", "rtbench load's exit status: 0 passed, 1 a threshold (--max-errors 0) was missed"},
  };
  return columns;
}

std::vector<std::string> results_csv_header() {
  std::vector<std::string> h;
  for (const auto& c : runner_columns()) h.emplace_back(c.name);
  for (auto& c : load_result_csv_header()) h.push_back(std::move(c));
  return h;
}

std::vector<std::string> results_csv_row(std::string_view suite, const RunRecord& r) {
  std::vector<std::string> row = {std::string(suite), r.point, r.run_id, std::to_string(r.repetition),
                                  std::to_string(r.load_exit_status)};
  if (r.result) {
    for (auto& f : load_result_csv_row(*r.result)) row.push_back(std::move(f));
  }
  return row;
}

std::vector<std::string> split_csv_line(std::string_view line) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
    } else if (c != '\r') {
      field += c;
    }
  }
  fields.push_back(std::move(field));
  return fields;
}

std::optional<std::vector<RunRecord>> read_results_csv(const std::string& path, std::string* suite,
                                                       std::string* error) {
  auto fail = [error](std::string why) {
    if (error != nullptr) *error = std::move(why);
    return std::nullopt;
  };
  std::ifstream in(path);
  if (!in) return fail("cannot read " + path);
  std::string line;
  if (!std::getline(in, line)) return fail(path + " is empty");
  const std::vector<std::string> header = split_csv_line(line);
  auto column = [&header](std::string_view name) -> int {
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) return static_cast<int>(i);
    }
    return -1;
  };
  const int c_suite = column("suite"), c_point = column("point"), c_run = column("run"),
            c_rep = column("repetition"), c_exit = column("load_exit_status"),
            c_transport = column("transport");
  if (c_point < 0 || c_run < 0 || c_rep < 0 || c_transport < 0) {
    return fail(path +
                " is not a suite's results.csv: it lacks the point, run, repetition or transport column");
  }
  std::vector<RunRecord> records;
  int line_no = 1;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    std::vector<std::string> row = split_csv_line(line);
    if (row.size() != header.size()) {
      return fail(fmt::format("{} line {}: {} fields under a {}-column header", path, line_no, row.size(),
                              header.size()));
    }
    std::string err;
    auto result = load_result_from_csv(header, row, &err);
    if (!result) return fail(fmt::format("{} line {}: {}", path, line_no, err));
    RunRecord r;
    r.point = row[c_point];
    r.run_id = row[c_run];
    r.transport = row[c_transport];
    std::from_chars(row[c_rep].data(), row[c_rep].data() + row[c_rep].size(), r.repetition);
    if (c_exit >= 0)
      std::from_chars(row[c_exit].data(), row[c_exit].data() + row[c_exit].size(), r.load_exit_status);
    if (suite != nullptr && suite->empty() && c_suite >= 0) *suite = row[c_suite];
    r.result = std::move(*result);
    records.push_back(std::move(r));
  }
  return records;
}

}  // namespace rtb
