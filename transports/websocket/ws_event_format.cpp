#include "transports/websocket/ws_event_format.hpp"

#include <fmt/format.h>

#include <charconv>

#include "transports/websocket/ws_frame_encoder.hpp"

namespace rtb {
namespace {

// Strict decimal: digits only, no sign, no leading '+', no overflow; the whole view must be the number.
bool parse_id(std::string_view text, std::uint64_t& out) {
  if (text.empty() || text.size() > 20) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

SharedBuffer ws_encode_event_frame(const Event& event) {
  char prefix[24];
  auto* end = fmt::format_to(prefix, "{} ", event.id);
  return ws_encode_server_frame_parts(
      WsOpcode::kText, std::string_view(prefix, static_cast<std::size_t>(end - prefix)), event.text());
}

std::string ws_gap_text(std::uint64_t first, std::uint64_t last) {
  return fmt::format("{} {}-{}", kWsGapWord, first, last);
}

WsEventText ws_parse_event_text(std::string_view message) {
  WsEventText out;
  out.framing_bytes = message.size();
  const std::size_t space = message.find(' ');
  if (space == std::string_view::npos) return out;
  const std::string_view word = message.substr(0, space);
  const std::string_view rest = message.substr(space + 1);
  if (parse_id(word, out.id)) {
    out.kind = WsEventText::Kind::kEvent;
    out.data = rest;
    out.framing_bytes = space + 1;
    return out;
  }
  if (word == kWsGapWord) {
    const std::size_t dash = rest.find('-');
    std::uint64_t first = 0, last = 0;
    if (dash != std::string_view::npos && parse_id(rest.substr(0, dash), first) &&
        parse_id(rest.substr(dash + 1), last) && first <= last) {
      out.kind = WsEventText::Kind::kGap;
      out.gap_first = first;
      out.gap_last = last;
    }
  }
  out.id = 0;
  return out;
}

}  // namespace rtb
