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

std::optional<double> unix_seconds_of_iso8601_utc(std::string_view text) {
  // "YYYY-MM-DDTHH:MM:SS" then ".mmm" or nothing, then "Z"; every other character a digit.
  constexpr std::string_view kShape = "0000-00-00T00:00:00";
  if (text.size() < kShape.size() + 1 || text.back() != 'Z') return std::nullopt;
  std::string_view fraction = text.substr(kShape.size(), text.size() - kShape.size() - 1);
  if (!fraction.empty() && (fraction.size() != 4 || fraction[0] != '.')) return std::nullopt;
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  for (std::size_t i = 0; i < kShape.size(); ++i) {
    if (kShape[i] == '0' ? !digit(text[i]) : text[i] != kShape[i]) return std::nullopt;
  }
  int ms = 0;
  for (char c : fraction.substr(fraction.empty() ? 0 : 1)) {
    if (!digit(c)) return std::nullopt;
    ms = ms * 10 + (c - '0');
  }
  auto number = [&](std::size_t at, std::size_t len) {
    int v = 0;
    for (std::size_t i = at; i < at + len; ++i) v = v * 10 + (text[i] - '0');
    return v;
  };
  std::tm tm{};
  tm.tm_year = number(0, 4) - 1900;
  tm.tm_mon = number(5, 2) - 1;
  tm.tm_mday = number(8, 2);
  tm.tm_hour = number(11, 2);
  tm.tm_min = number(14, 2);
  tm.tm_sec = number(17, 2);
  if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 ||
      tm.tm_min > 59 || tm.tm_sec > 60) {
    return std::nullopt;
  }
  return static_cast<double>(timegm(&tm)) + ms / 1000.0;
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
