#include "harness/metrics/json.hpp"

#include <cstdint>

namespace rtb {

std::string json_text(const Json& value, int indent) {
  return value.dump(indent, ' ', false, Json::error_handler_t::replace);
}

std::optional<Json> parse_json(std::string_view text, std::string* error) {
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    if (error != nullptr) *error = e.what();
    return std::nullopt;
  }
}

std::string json_string(const Json& object, const std::string& key, std::string fallback) {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return fallback;
  return it->get<std::string>();
}

std::uint64_t json_unsigned(const Json& object, const std::string& key, std::uint64_t fallback) {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  if (it == object.end() || !it->is_number_unsigned()) return fallback;
  return it->get<std::uint64_t>();
}

}  // namespace rtb
