#include "harness/runner/output_dir.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <system_error>

#include "harness/scenario/run_metadata.hpp"

namespace rtb {

namespace fs = std::filesystem;

bool has_committed_files(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return false;
  const std::string command = "git -C " + shell_join({dir}) + " ls-files -- . 2>/dev/null";
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return false;
  char buffer[512];
  bool any = std::fgets(buffer, sizeof buffer, pipe) != nullptr;
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) {
  }
  ::pclose(pipe);
  return any;
}

bool prepare_output_dir(const std::string& dir, bool force, std::string* error) {
  auto fail = [error](std::string why) {
    if (error != nullptr) *error = std::move(why);
    return false;
  };
  if (dir.empty()) return fail("the output folder is empty");
  if (!force && has_committed_files(dir)) {
    return fail(fmt::format(
        "{} holds committed reference results; write elsewhere with --out (results/latest is git-ignored) or "
        "pass --force to overwrite them",
        dir));
  }
  std::error_code ec;
  for (const char* file : {"results.csv", "metadata.json", "report.md"}) fs::remove(fs::path(dir) / file, ec);
  for (const char* sub : {"points", "spectra", "logs", "plots"}) {
    fs::remove_all(fs::path(dir) / sub, ec);
    if (ec) return fail(fmt::format("cannot clear {}/{}: {}", dir, sub, ec.message()));
  }
  for (const char* sub : {"points", "spectra/merged", "logs", "plots"}) {
    fs::create_directories(fs::path(dir) / sub, ec);
    if (ec) return fail(fmt::format("cannot create {}/{}: {}", dir, sub, ec.message()));
  }
  return true;
}

}  // namespace rtb

namespace rtb {

std::string default_output_dir(const std::string& suite, std::chrono::system_clock::time_point now) {
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  ::gmtime_r(&t, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &utc);
  const std::string base = fmt::format("results/latest/{}-{}", suite, stamp);
  std::string dir = base;
  std::error_code ec;
  for (int n = 2; fs::exists(dir, ec); ++n) dir = fmt::format("{}-{}", base, n);
  return dir;
}

}  // namespace rtb
