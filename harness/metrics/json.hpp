// JSON for results files: nlohmann::json (Debian's nlohmann-json3-dev) with members kept in insertion order,
// plus the two rules every results file follows.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace rtb {

using Json = nlohmann::ordered_json;

// The text of `value` (indent < 0: one line). NaN and infinities are written as null (JSON has no spelling
// for them) and bytes that are not valid UTF-8 (a hostname, an error message quoting a peer) become U+FFFD,
// so the output is always valid JSON.
std::string json_text(const Json& value, int indent = 2);

// One JSON value, or nullopt with the position and reason in *error.
std::optional<Json> parse_json(std::string_view text, std::string* error);

// Convenience readers that never throw: the member's value when it exists and has the type, else `fallback`.
std::string json_string(const Json& object, const std::string& key, std::string fallback = {});
std::uint64_t json_unsigned(const Json& object, const std::string& key, std::uint64_t fallback = 0);

}  // namespace rtb
