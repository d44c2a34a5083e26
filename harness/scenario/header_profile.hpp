// HeaderProfile: the extra request headers the HTTP subscribers send (minimal, browser-like, or padded to a
// size), kept in one place so the byte accounting can be checked against it exactly.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace rtb {

enum class HeaderProfileKind { kMinimal, kBrowser, kSized, kChromium };

struct HeaderProfile {
  HeaderProfileKind kind = HeaderProfileKind::kMinimal;
  std::size_t head_bytes = 0;  // kSized: the whole request head (request line to blank line), in bytes
  std::string name() const;    // "minimal", "browser" or the size, as the command line spells it
};

// "minimal", "browser", "chromium" (the heads Chromium really sent, harness/scenario/chromium_heads.hpp) or a
// positive number of bytes.
std::optional<HeaderProfile> parse_header_profile(std::string_view text, std::string* error);

// The header lines (each ending in CRLF) the profile adds after Host. `base_head_bytes` is the size of the
// same request head without them (what a kSized profile pads up from); `connection_close` drops the browser's
// `Connection: keep-alive` because the request then carries `Connection: close` instead. Empty for minimal.
// For kSized, nullopt when the size is below base_head_bytes + the smallest X-Pad line ("X-Pad: \r\n").
std::optional<std::string> header_profile_text(const HeaderProfile& profile, std::size_t base_head_bytes,
                                               bool connection_close);

// Exactly header_profile_text(...)->size(), or 0 when the profile cannot be built; what tests check the wire
// counters against.
std::size_t header_profile_bytes(const HeaderProfile& profile, std::size_t base_head_bytes,
                                 bool connection_close);

// The smallest request head a kSized profile can produce for this base.
std::size_t min_sized_head_bytes(std::size_t base_head_bytes);

}  // namespace rtb
