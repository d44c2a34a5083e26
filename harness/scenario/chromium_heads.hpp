// The `--headers chromium` profile: the header lines Chromium really sent for a same-origin fetch() poll,
// recorded by tests/browser/record_heads.mjs --update (chromium_heads.cpp is its output; every transport's
// recorded head, with the Chromium version, is in results/browser/chromium-heads.txt).
#pragma once

#include <string_view>

namespace rtb {

extern const std::string_view kChromiumVersion;
// After Host, in Chromium's order: the lines before Connection, Connection itself, the lines after it.
extern const std::string_view kChromiumPollBeforeConnection;
extern const std::string_view kChromiumPollConnection;
extern const std::string_view kChromiumPollAfterConnection;

}  // namespace rtb
