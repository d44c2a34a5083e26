#include "harness/runner/results_csv.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "harness/metrics/csv_writer.hpp"

namespace rtb {
namespace {

TEST(ResultsCsv, HeaderIsTheRunnerColumnsThenEveryGeneratorColumn) {
  auto header = results_csv_header();
  const auto generator = load_result_csv_header();
  ASSERT_EQ(header.size(), runner_columns().size() + generator.size());
  EXPECT_EQ(header[0], "suite");
  EXPECT_EQ(header[1], "point");
  EXPECT_EQ(header[2], "run");
  EXPECT_EQ(header[3], "repetition");
  for (std::size_t i = 0; i < generator.size(); ++i)
    EXPECT_EQ(header[runner_columns().size() + i], generator[i]);
}

TEST(SplitCsvLine, HandlesQuotesCommasAndDoubledQuotes) {
  auto f = split_csv_line("a,\"b,c\",\"say \"\"hi\"\"\",,e\r");
  ASSERT_EQ(f.size(), 5u);
  EXPECT_EQ(f[1], "b,c");
  EXPECT_EQ(f[2], "say \"hi\"");
  EXPECT_EQ(f[3], "");
  EXPECT_EQ(f[4], "e");
}

TEST(ResultsCsv, RowsReadBackIntoTheSameRecords) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("rtb_results_csv_" + std::to_string(::getpid()) + ".csv"))
          .string();
  std::remove(path.c_str());
  RunRecord r;
  r.point = "c1000-browser";
  r.transport = "ws";
  r.run_id = "004-c1000-browser-ws-r2";
  r.repetition = 2;
  r.load_exit_status = 1;
  LoadResult x;
  x.transport = "ws";
  x.clients = 1000;
  x.p50_us = 1234.5;
  x.lost = 3;
  x.header_profile = "browser";
  r.result = x;
  {
    std::string error;
    auto w = CsvWriter::open(path, results_csv_header(), &error);
    ASSERT_TRUE(w) << error;
    ASSERT_TRUE(w->write_row(results_csv_row("quick", r)));
  }
  std::string suite, error;
  auto back = read_results_csv(path, &suite, &error);
  ASSERT_TRUE(back) << error;
  ASSERT_EQ(back->size(), 1u);
  const RunRecord& b = back->front();
  EXPECT_EQ(suite, "quick");
  EXPECT_EQ(b.point, r.point);
  EXPECT_EQ(b.transport, "ws");
  EXPECT_EQ(b.run_id, r.run_id);
  EXPECT_EQ(b.repetition, 2);
  EXPECT_EQ(b.load_exit_status, 1);
  ASSERT_TRUE(b.result);
  EXPECT_EQ(b.result->clients, 1000u);
  EXPECT_DOUBLE_EQ(b.result->p50_us, 1234.5);
  EXPECT_EQ(b.result->lost, 3u);
  std::remove(path.c_str());
}

TEST(ResultsCsv, RefusesAFileThatIsNotASuitesResults) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("rtb_not_results_" + std::to_string(::getpid()) + ".csv"))
          .string();
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    std::fputs("a,b\n1,2\n", f);
    std::fclose(f);
  }
  std::string error;
  EXPECT_FALSE(read_results_csv(path, nullptr, &error));
  EXPECT_NE(error.find("not a suite's results.csv"), std::string::npos) << error;
  std::remove(path.c_str());
  EXPECT_FALSE(read_results_csv(path, nullptr, &error));
}

}  // namespace
}  // namespace rtb
