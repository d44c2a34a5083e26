#include "transports/common/encoding_slot.hpp"

#include <fmt/format.h>

#include <cstdlib>

namespace rtb {

EncodingSlot register_encoding(std::string_view name) {
  static std::size_t used = 0;
  if (used == kMaxEncodings) {
    fmt::print(stderr, "rtbench: no event encoding slot left for '{}' (kMaxEncodings = {})\n", name,
               kMaxEncodings);
    std::abort();
  }
  return static_cast<EncodingSlot>(used++);
}

}  // namespace rtb
