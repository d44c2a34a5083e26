// JsonValue: a small JSON reader (RFC 8259), enough to read a results file back, e.g. `rtbench load --json`.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rtb {

class JsonValue {
 public:
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };

  // nullopt with a position and reason in *error for anything that is not exactly one JSON value.
  static std::optional<JsonValue> parse(std::string_view text, std::string* error);

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  bool as_bool() const { return bool_; }
  // Numbers keep their text so 64-bit integers read back exactly.
  const std::string& text() const { return text_; }
  std::optional<double> as_double() const;
  std::optional<std::uint64_t> as_uint64() const;
  const std::string& as_string() const { return text_; }
  const std::vector<JsonValue>& items() const { return items_; }
  const std::map<std::string, JsonValue, std::less<>>& members() const { return members_; }
  // A member of an object, or nullptr.
  const JsonValue* find(std::string_view key) const;

 private:
  friend class JsonParser;
  Kind kind_ = Kind::kNull;
  bool bool_ = false;
  std::string text_;
  std::vector<JsonValue> items_;
  std::map<std::string, JsonValue, std::less<>> members_;
};

}  // namespace rtb
