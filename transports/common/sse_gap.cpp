#include "transports/common/sse_gap.hpp"

#include "transports/common/sse_parser.hpp"

namespace rtb {

bool sse_parse_gap(std::string_view data, std::uint64_t& first, std::uint64_t& last) {
  auto dash = data.find('-');
  if (dash == std::string_view::npos) return false;
  std::uint64_t a = 0, b = 0;
  if (!sse_parse_id(data.substr(0, dash), a) || !sse_parse_id(data.substr(dash + 1), b) || a > b)
    return false;
  first = a;
  last = b;
  return true;
}

}  // namespace rtb
