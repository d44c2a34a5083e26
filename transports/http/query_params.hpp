// QueryParams: the name=value pairs of a request target's query string, percent-decoded on demand.
#pragma once

#include <array>
#include <cstddef>
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
  // raw() of several names in one pass over the query (a request's hot path asks for two or three).
  template <std::size_t N>
  std::array<std::optional<std::string_view>, N> raw_each(
      const std::array<std::string_view, N>& names) const {
    std::array<std::optional<std::string_view>, N> found{};
    std::string_view rest = query_;
    while (!rest.empty()) {
      std::string_view pair = next_pair(rest);
      auto eq = pair.find('=');
      std::string_view key = pair.substr(0, eq);
      for (std::size_t i = 0; i < N; ++i) {
        if (!found[i] && key == names[i]) {
          found[i] = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
          break;
        }
      }
    }
    return found;
  }

 private:
  // The pair before the next '&', which `rest` then starts after.
  static std::string_view next_pair(std::string_view& rest) {
    auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    return pair;
  }

  std::string_view query_;
};

// Strict decimal parse: digits only, no sign, no overflow.
std::optional<std::uint64_t> parse_decimal_u64(std::string_view text);
// Percent-decoding; nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view text);

}  // namespace rtb
