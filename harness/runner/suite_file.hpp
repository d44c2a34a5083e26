// Suite files: a suite as JSON, so users write their own without recompiling (`rtbench run --suite-file F`)
// and every built-in suite prints as one (`rtbench run --show-suite NAME`). The "load" object of a point
// holds `rtbench load` options by their JSON names (harness/scenario/load_options.hpp), only those that
// differ from the defaults; durations may be numbers of seconds or strings such as "10s".
//
//   {"name": "mine", "purpose": "...", "notes": ["..."], "repeat": 3,
//    "points": [{"tag": "c100", "note": "...", "transports": ["sse", "ws"], "server_args": [],
//                "load": {"clients": 100, "rate": 10, "headers": "browser", "duration_s": "10s"}}]}
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "harness/metrics/json.hpp"
#include "harness/runner/suite.hpp"

namespace rtb {

Json suite_to_json(const Suite& suite);
// A point's "intermediary" member as a suite file writes it (the point must have one); metadata.json adds
// the proxy's version and config path to the same object.
Json intermediary_to_json(const SuitePoint& point);
// nullopt with one sentence in *error naming the member and what to change. The suite is also checked
// (check_suite): unknown transports, duplicate tags, limits.
std::optional<Suite> suite_from_json(const Json& json, std::string* error);
std::optional<Suite> read_suite_file(const std::string& path, std::string* error);

// --transports ws,sse and --points TAG,TAG: keep part of a suite; false with what to change in *error.
bool select_transports(Suite& suite, std::string_view list, std::string* error);
bool select_points(Suite& suite, std::string_view list, std::string* error);

}  // namespace rtb
