// Whole-text number parsing shared by the option table and the result reader: the entire text must be
// the number (no sign, no spaces, no trailing characters), so "12x" is an error rather than 12.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace rtb {

std::optional<std::uint64_t> parse_u64(std::string_view text);

}  // namespace rtb
