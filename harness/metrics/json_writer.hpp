// JsonWriter: a small streaming JSON builder for results files, with RFC 8259 escaping and structural checks.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace rtb {

// `text` as a JSON string literal, quotes included. '"' and '\\' are escaped, \b \f \n \r \t use their short
// forms and every other control character below 0x20 becomes \u00XX (lowercase hex). Valid UTF-8 passes
// through unchanged; each byte that is not part of a valid UTF-8 sequence (overlong forms, surrogates, beyond
// U+10FFFF included) becomes \ufffd, so the output is always valid JSON whatever bytes a hostname or payload
// held.
std::string json_quote(std::string_view text);

// Builds one JSON value (normally an object) into a string. Commas, and with indent > 0 newlines and
// indentation, are inserted automatically. A call that would produce invalid JSON (a value where a key is
// needed, end_array() closing an object, a second top-level value...) writes nothing and marks the writer
// failed: check ok() or complete() before using str(). Finite doubles are written in the shortest form that
// reads back exactly; NaN and infinities are written as null, since JSON has no spelling for them.
class JsonWriter {
 public:
  explicit JsonWriter(int indent = 0) : indent_(indent < 0 ? 0 : indent) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view name);

  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(bool b);
  JsonWriter& value(double number);
  JsonWriter& value(std::nullptr_t);
  // Any integer type without ambiguity between the signed, unsigned, double and bool overloads.
  template <std::integral T>
  requires(!std::same_as<T, bool>) JsonWriter& value(T number) {
    if constexpr (std::is_signed_v<T>) {
      return value_signed(static_cast<int64_t>(number));
    } else {
      return value_unsigned(static_cast<uint64_t>(number));
    }
  }
  JsonWriter& null_value() { return value(nullptr); }

  // key(name) followed by value(v).
  template <typename T>
  JsonWriter& field(std::string_view name, const T& v) {
    key(name);
    return value(v);
  }

  bool ok() const { return !failed_; }
  // True once exactly one top-level value has been written and every container is closed.
  bool complete() const { return !failed_ && stack_.empty() && root_done_; }
  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  struct Frame {
    bool is_object;
    std::size_t count;
    bool awaiting_value;  // a key has been written
  };

  JsonWriter& value_signed(int64_t number);
  JsonWriter& value_unsigned(uint64_t number);
  bool before_value();  // checks and writes the separator; false (and failed_) on misuse
  JsonWriter& end_container(bool is_object);
  void newline_indent(std::size_t depth);

  int indent_;
  bool failed_ = false;
  bool root_done_ = false;
  std::vector<Frame> stack_;
  std::string out_;
};

}  // namespace rtb
