#include "harness/runner/output_dir.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "tests/harness/runner/test_paths.hpp"

namespace rtb {
namespace {

namespace fs = std::filesystem;

TEST(PrepareOutputDir, CreatesTheSubfoldersAndClearsOnlyWhatASuiteWrites) {
  const fs::path dir = fs::temp_directory_path() / ("rtb_out_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  std::string error;
  ASSERT_TRUE(prepare_output_dir(dir.string(), false, &error)) << error;
  for (const char* sub : {"points", "spectra/merged", "logs", "plots"})
    EXPECT_TRUE(fs::is_directory(dir / sub)) << sub;
  std::ofstream(dir / "results.csv") << "old";
  std::ofstream(dir / "points" / "old.json") << "{}";
  std::ofstream(dir / "keep.txt") << "mine";
  ASSERT_TRUE(prepare_output_dir(dir.string(), false, &error)) << error;
  EXPECT_FALSE(fs::exists(dir / "results.csv"));
  EXPECT_FALSE(fs::exists(dir / "points" / "old.json"));
  EXPECT_TRUE(fs::exists(dir / "keep.txt"));
  EXPECT_FALSE(has_committed_files(dir.string()));
  fs::remove_all(dir);
}

TEST(PrepareOutputDir, RefusesACommittedFolderWithoutForce) {
  const std::string source = test::source_dir();
  const std::string committed = source + "/harness/scenario";
  if (!has_committed_files(committed)) GTEST_SKIP() << "no git work tree at " << source;
  std::string error;
  EXPECT_FALSE(prepare_output_dir(committed, false, &error));
  EXPECT_NE(error.find("committed reference results"), std::string::npos) << error;
  EXPECT_NE(error.find("--force"), std::string::npos);
  EXPECT_FALSE(fs::exists(fs::path(committed) / "points"));  // refused before touching anything
}

TEST(DefaultOutputDir, IsAFreshTimestampedFolderUnderTheIgnoredLatest) {
  // 2026-01-02 03:04:05 UTC
  const auto t = std::chrono::system_clock::from_time_t(1767323045);
  const fs::path cwd = fs::current_path();
  const fs::path dir = fs::temp_directory_path() / ("rtb_default_out_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::current_path(dir);
  EXPECT_EQ(default_output_dir("quick", t), "results/latest/quick-20260102-030405");
  fs::create_directories("results/latest/quick-20260102-030405");
  EXPECT_EQ(default_output_dir("quick", t), "results/latest/quick-20260102-030405-2");
  fs::current_path(cwd);
  fs::remove_all(dir);
}

TEST(DefaultOutputDir, EverySuitesDefaultIsGitIgnored) {
  const std::string source = test::source_dir();
  if (!has_committed_files(source + "/harness")) GTEST_SKIP() << "no git work tree at " << source;
  for (const char* path : {"results/latest/quick-20260102-030405/results.csv", "results/tiny/results.csv"}) {
    const std::string command = "git -C '" + source + "' check-ignore -q " + path;
    EXPECT_EQ(std::system(command.c_str()), 0) << path << " is not git-ignored";
  }
}

}  // namespace
}  // namespace rtb
