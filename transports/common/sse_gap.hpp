// SseGap: reads the data of an `event: gap` record ("first-last"), shared by every client that parses
// records.
#pragma once

#include <cstdint>
#include <string_view>

namespace rtb {

// The record type sse_append_gap() writes.
inline constexpr std::string_view kSseGapType = "gap";

// Parses "<first>-<last>" (two decimal ids, first <= last); false when the data is anything else.
bool sse_parse_gap(std::string_view data, std::uint64_t& first, std::uint64_t& last);

}  // namespace rtb
