#include "harness/scenario/run_metadata.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cstdio>
#include <ctime>

#ifndef RTB_VERSION
#error "RTB_VERSION (the CMake project version) must be defined: harness/scenario/CMakeLists.txt does"
#endif
#ifndef RTB_GIT_COMMIT
#define RTB_GIT_COMMIT ""
#endif
#ifndef RTB_SOURCE_DIR
#define RTB_SOURCE_DIR ""
#endif

namespace rtb {

namespace {

// The commit of the tree the binary was built from, asked now: the build-time value goes stale with every
// commit made without reconfiguring.
std::string git_commit_now() {
  std::string dir = RTB_SOURCE_DIR;
  struct stat st {};
  if (dir.empty() || stat((dir + "/.git").c_str(), &st) != 0) return {};
  std::string command = "git -C " + shell_join({dir}) + " rev-parse HEAD 2>/dev/null";
  std::FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {};
  char line[128] = {};
  std::string out;
  if (std::fgets(line, sizeof line, pipe) != nullptr) out = line;
  pclose(pipe);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out.size() == 40 ? out : std::string();
}

}  // namespace

std::string_view rtbench_version() {
  return RTB_VERSION;
}

std::string shell_join(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& arg : argv) {
    if (!out.empty()) out += ' ';
    bool plain = !arg.empty() && arg.find_first_not_of(
                                     "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                     "0123456789-_./:=,@+%") == std::string::npos;
    if (plain) {
      out += arg;
      continue;
    }
    out += '\'';
    for (char c : arg) {
      if (c == '\'') {
        out += "'\\''";
      } else {
        out += c;
      }
    }
    out += '\'';
  }
  return out;
}

std::string iso8601_utc(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms % 1000);
}

RunMetadata collect_run_metadata(const std::vector<std::string>& argv) {
  RunMetadata meta;
  meta.version = rtbench_version();
  meta.git_commit = git_commit_now();
  if (meta.git_commit.empty()) meta.git_commit = RTB_GIT_COMMIT;
  meta.command_line = shell_join(argv);
  meta.host = read_host_facts();
  return meta;
}

void write_run_metadata(Json& json, const RunMetadata& meta) {
  json["version"] = meta.version;
  json["git_commit"] = meta.git_commit;
  json["command_line"] = meta.command_line;
  Json host = Json::object();
  write_host_facts(host, meta.host);
  json["host"] = std::move(host);
}

}  // namespace rtb
