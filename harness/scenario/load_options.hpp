// LoadOptions: the one description of every `rtbench load` option that configures a LoadConfig. From it come
// the CLI11 options of `rtbench load`, the argv `rtbench run` passes to its child, the "config" object of the
// result JSON (its member names are the long option names with '-' turned into '_'), and the "load" object of
// a suite file. Adding an option here adds it everywhere; nothing else spells these names.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harness/metrics/json.hpp"
#include "harness/scenario/load_config.hpp"

namespace rtb {

// How a value is typed in JSON (on the command line every value is text).
enum class LoadOptionType { kUnsigned, kNumber, kSeconds, kText, kList, kFlag };

// Whether an option describes the load (a suite point sets it and `rtbench run` passes it to its child) or
// belongs to one run (the URL, the server to sample, the pass/fail thresholds).
enum class LoadOptionScope { kLoad, kRun };

struct LoadOption {
  std::string_view flags;  // CLI11 spelling: "-c,--clients"; the last long name is the canonical one
  std::string_view help;
  std::string_view range;  // "1-1,000,000 subscribers": said in --help and in every range error
  LoadOptionType type = LoadOptionType::kText;
  LoadOptionScope scope = LoadOptionScope::kLoad;
  // The value as the command line spells it; "" when unset (an optional threshold, no --sources).
  std::function<std::string(const LoadConfig&)> get;
  // Parses and range-checks `text` into the config; "" when valid, else what to change (without the name).
  std::function<std::string(LoadConfig&, std::string_view)> set;

  std::string long_name() const;  // "--clients"
  std::string json_name() const;  // "clients"
};

const std::vector<LoadOption>& load_option_table();
const LoadOption* find_load_option(std::string_view name);  // by long name ("--clients") or JSON name

// Adds every option of the table to `command`: parsing sets the config through LoadOption::set, and a value
// it refuses is a CLI11 validation error (exit status 2) that names the option and its range.
void add_load_options(CLI::App& command, LoadConfig& config);

// The argv for a child `rtbench load`: every option of `scope` whose value differs from the defaults, or all
// with `all`, as "--name value" (flags without a value).
std::vector<std::string> load_option_argv(const LoadConfig& config, LoadOptionScope scope, bool all = false);

// The options of `scope` as a JSON object keyed by JSON name, typed per LoadOptionType; unset optionals are
// null. With `only_changed`, only the members that differ from a default LoadConfig.
Json load_options_json(const LoadConfig& config, LoadOptionScope scope, bool only_changed = false);
// Applies a JSON object of options (as written by load_options_json) to `config`; false with one sentence in
// *error naming the member and what to change. Members of another scope are refused: a suite file cannot
// set the URL.
bool apply_load_options_json(const Json& object, LoadConfig& config, std::span<const LoadOptionScope> allowed,
                             std::string* error);

// Durations as wrk and k6 spell them: "10" (seconds), "10s", "1.5s", "500ms", "2m", "1h".
std::optional<double> parse_seconds(std::string_view text);

}  // namespace rtb
