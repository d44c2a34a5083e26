#include "transports/http/header_tokens.hpp"

#include <cstddef>

namespace rtb {
namespace {

constexpr char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

constexpr bool is_ows(char c) {
  return c == ' ' || c == '\t';
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

bool header_has_token(std::string_view header_value, std::string_view token) {
  if (token.empty()) return false;
  while (true) {
    const std::size_t comma = header_value.find(',');
    if (iequals(trim_ows(header_value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) return false;
    header_value.remove_prefix(comma + 1);
  }
}

}  // namespace rtb
