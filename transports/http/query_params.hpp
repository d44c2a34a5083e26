// QueryParams: the name=value pairs of a request target's query string, percent-decoded on demand.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rtb {

class QueryParams {
 public:
  explicit QueryParams(std::string_view query) : query_(query) {}
  // The raw (still encoded) value of the first parameter with this name; empty view for `name` or `name=`.
  std::optional<std::string_view> raw(std::string_view name) const;
  // Percent-decoded value ('+' is a space); nullopt when absent or when the encoding is malformed.
  std::optional<std::string> decoded(std::string_view name) const;

 private:
  std::string_view query_;
};

// Strict decimal parse: digits only, no sign, no overflow.
std::optional<std::uint64_t> parse_decimal_u64(std::string_view text);
// Percent-decoding; nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view text);

}  // namespace rtb
