#include "harness/metrics/json_writer.hpp"

#include <cmath>
#include <iterator>

#include <fmt/format.h>

namespace rtb {
namespace {

bool is_continuation(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

// Length of the valid UTF-8 sequence starting at text[i] (RFC 3629 table), or 0 when it is not one.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
  const auto at = [&](std::size_t k) -> unsigned char {
    return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0;
  };
  const unsigned char lead = at(0);
  if (lead >= 0xC2 && lead <= 0xDF) return is_continuation(at(1)) ? 2 : 0;
  if (lead >= 0xE0 && lead <= 0xEF) {
    const unsigned char second = at(1);
    // E0 needs A0.. (no overlong forms), ED needs ..9F (no UTF-16 surrogates).
    const bool ok = lead == 0xE0   ? (second >= 0xA0 && second <= 0xBF)
                    : lead == 0xED ? (second >= 0x80 && second <= 0x9F)
                                   : is_continuation(second);
    return ok && is_continuation(at(2)) ? 3 : 0;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    const unsigned char second = at(1);
    // F0 needs 90.. (no overlong forms), F4 needs ..8F (nothing beyond U+10FFFF).
    const bool ok = lead == 0xF0   ? (second >= 0x90 && second <= 0xBF)
                    : lead == 0xF4 ? (second >= 0x80 && second <= 0x8F)
                                   : is_continuation(second);
    return ok && is_continuation(at(2)) && is_continuation(at(3)) ? 4 : 0;
  }
  return 0;
}

}  // namespace

std::string json_quote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('"');
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const std::size_t n = utf8_sequence_length(text, i);
      if (n == 0) {
        out += "\\ufffd";
        ++i;
      } else {
        out.append(text.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out.push_back('"');
  return out;
}

void JsonWriter::newline_indent(std::size_t depth) {
  if (indent_ == 0) return;
  out_.push_back('\n');
  out_.append(depth * static_cast<std::size_t>(indent_), ' ');
}

bool JsonWriter::before_value() {
  if (failed_) return false;
  if (stack_.empty()) {
    if (root_done_) failed_ = true;
    return !failed_;
  }
  Frame& top = stack_.back();
  if (top.is_object) {
    if (!top.awaiting_value) failed_ = true;
    top.awaiting_value = false;
    return !failed_;
  }
  if (top.count > 0) out_.push_back(',');
  newline_indent(stack_.size());
  ++top.count;
  return true;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  if (failed_) return *this;
  if (stack_.empty() || !stack_.back().is_object || stack_.back().awaiting_value) {
    failed_ = true;
    return *this;
  }
  Frame& top = stack_.back();
  if (top.count > 0) out_.push_back(',');
  newline_indent(stack_.size());
  ++top.count;
  top.awaiting_value = true;
  out_ += json_quote(name);
  out_ += indent_ > 0 ? ": " : ":";
  return *this;
}

JsonWriter& JsonWriter::begin_object() {
  if (!before_value()) return *this;
  out_.push_back('{');
  stack_.push_back({true, 0, false});
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  if (!before_value()) return *this;
  out_.push_back('[');
  stack_.push_back({false, 0, false});
  return *this;
}

JsonWriter& JsonWriter::end_container(bool is_object) {
  if (failed_) return *this;
  if (stack_.empty() || stack_.back().is_object != is_object || stack_.back().awaiting_value) {
    failed_ = true;
    return *this;
  }
  const bool had_members = stack_.back().count > 0;
  stack_.pop_back();
  if (had_members) newline_indent(stack_.size());
  out_.push_back(is_object ? '}' : ']');
  if (stack_.empty()) root_done_ = true;
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  return end_container(true);
}
JsonWriter& JsonWriter::end_array() {
  return end_container(false);
}

JsonWriter& JsonWriter::value(std::string_view text) {
  if (!before_value()) return *this;
  out_ += json_quote(text);
  if (stack_.empty()) root_done_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(bool b) {
  if (!before_value()) return *this;
  out_ += b ? "true" : "false";
  if (stack_.empty()) root_done_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(double number) {
  if (!before_value()) return *this;
  if (std::isfinite(number)) {
    fmt::format_to(std::back_inserter(out_), "{}", number);
  } else {
    out_ += "null";
  }
  if (stack_.empty()) root_done_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(std::nullptr_t) {
  if (!before_value()) return *this;
  out_ += "null";
  if (stack_.empty()) root_done_ = true;
  return *this;
}

JsonWriter& JsonWriter::value_signed(int64_t number) {
  if (!before_value()) return *this;
  fmt::format_to(std::back_inserter(out_), "{}", number);
  if (stack_.empty()) root_done_ = true;
  return *this;
}

JsonWriter& JsonWriter::value_unsigned(uint64_t number) {
  if (!before_value()) return *this;
  fmt::format_to(std::back_inserter(out_), "{}", number);
  if (stack_.empty()) root_done_ = true;
  return *this;
}

}  // namespace rtb
