// Fuzzes query-string handling (QueryParams::raw/decoded, percent_decode, parse_decimal_u64) against simple
// reference versions restated here.
//
// Input: a parameter name, '\n', then the query string (without the '?').
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "transports/http/query_params.hpp"

namespace rtb {
namespace {

[[noreturn]] void violation(const char* what) {
  std::fprintf(stderr, "query_params_fuzz: %s\n", what);
  std::abort();
}

std::optional<std::string_view> ref_raw(std::string_view query, std::string_view name) {
  std::size_t pos = 0;
  while (pos < query.size()) {
    std::size_t end = query.find('&', pos);
    if (end == std::string_view::npos) end = query.size();
    std::string_view pair = query.substr(pos, end - pos);
    std::size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name)
      return eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    pos = end + 1;
  }
  return std::nullopt;
}

int ref_hex(char c) {
  static constexpr std::string_view kDigits = "0123456789abcdef";
  std::size_t i = kDigits.find(static_cast<char>(c >= 'A' && c <= 'F' ? c + 32 : c));
  return i == std::string_view::npos ? -1 : static_cast<int>(i);
}

std::optional<std::string> ref_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%') {
      if (text.size() - i < 3 || ref_hex(text[i + 1]) < 0 || ref_hex(text[i + 2]) < 0) return std::nullopt;
      out += static_cast<char>(ref_hex(text[i + 1]) * 16 + ref_hex(text[i + 2]));
      i += 2;
    } else {
      out += text[i] == '+' ? ' ' : text[i];
    }
  }
  return out;
}

std::optional<std::uint64_t> ref_decimal(std::string_view text) {
  // More than 20 characters is refused even when zero-padded (the cheap overflow guard of the code under
  // test).
  if (text.empty() || text.size() > 20 || text.find_first_not_of("0123456789") != std::string_view::npos)
    return std::nullopt;
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

void check_text(std::string_view text) {
  if (percent_decode(text) != ref_decode(text)) violation("percent_decode differs from the reference");
  if (parse_decimal_u64(text) != ref_decimal(text)) violation("parse_decimal_u64 differs from the reference");
}

}  // namespace
}  // namespace rtb

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rtb;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t nl = input.find('\n');
  const std::string_view name = input.substr(0, nl);
  const std::string_view query = nl == std::string_view::npos ? std::string_view{} : input.substr(nl + 1);

  const QueryParams params(query);
  const auto raw = params.raw(name);
  if (raw != ref_raw(query, name)) violation("raw() differs from the reference");
  const auto decoded = params.decoded(name);
  if (decoded != (raw ? percent_decode(*raw) : std::nullopt))
    violation("decoded() is not percent_decode(raw())");
  check_text(name);
  check_text(query);
  if (raw) check_text(*raw);
  return 0;
}
