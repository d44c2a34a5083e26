// RunMetadata: what a results file records about how it was made (version, commit, host, command, times).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness/metrics/json.hpp"
#include "harness/metrics/machine_facts.hpp"

namespace rtb {

struct RunMetadata {
  std::string version;     // rtbench's project version
  std::string git_commit;  // `git rev-parse HEAD` of the source tree now, else at build time, else ""
  std::string command_line;
  HostFacts host;
};

// rtbench's version: project(VERSION) of the top CMakeLists.txt, the one place it is written.
std::string_view rtbench_version();

RunMetadata collect_run_metadata(const std::vector<std::string>& argv);

// Each argument single-quoted when the shell would otherwise split or expand it.
std::string shell_join(const std::vector<std::string>& argv);

// "2024-05-01T12:34:56.789Z".
std::string iso8601_utc(std::chrono::system_clock::time_point t);
// The inverse for what iso8601_utc writes (the milliseconds optional): seconds since the epoch, nullopt for
// any other text.
std::optional<double> unix_seconds_of_iso8601_utc(std::string_view text);

void write_run_metadata(Json& json, const RunMetadata& meta);

}  // namespace rtb
