// `--headers chromium`: the header lines Chromium really sent (harness/scenario/chromium_heads.cpp, recorded by
// tests/browser/record_heads.mjs), added after Host like the other profiles.
#include <gtest/gtest.h>

#include <string>

#include "harness/scenario/chromium_heads.hpp"
#include "harness/scenario/header_profile.hpp"

namespace rtb {
namespace {

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(ChromiumProfile, ParsesAndNamesItself) {
  std::string error;
  auto p = parse_header_profile("chromium", &error);
  ASSERT_TRUE(p.has_value()) << error;
  EXPECT_EQ(p->kind, HeaderProfileKind::kChromium);
  EXPECT_EQ(p->name(), "chromium");
}

TEST(ChromiumProfile, CarriesTheRecordedFetchHeadersWithoutHost) {
  HeaderProfile p{HeaderProfileKind::kChromium, 0};
  std::string text = *header_profile_text(p, 100, false);
  EXPECT_EQ(count(text, "\r\nHost:") + (text.rfind("Host:", 0) == 0 ? 1 : 0), 0u);
  EXPECT_EQ(count(text, "User-Agent: "), 1u);
  EXPECT_EQ(count(text, "Sec-Fetch-Mode: cors\r\n"), 1u);
  EXPECT_EQ(count(text, "Connection: keep-alive\r\n"), 1u);
  EXPECT_EQ(text.substr(text.size() - 2), "\r\n");
  EXPECT_FALSE(kChromiumVersion.empty());
  EXPECT_EQ(header_profile_bytes(p, 100, false), text.size());
}

TEST(ChromiumProfile, ConnectionCloseDropsKeepAlive) {
  HeaderProfile p{HeaderProfileKind::kChromium, 0};
  std::string keep = *header_profile_text(p, 100, false);
  std::string close = *header_profile_text(p, 100, true);
  EXPECT_EQ(count(close, "Connection:"), 0u);
  EXPECT_EQ(keep.size() - close.size(), kChromiumPollConnection.size());
}

}  // namespace
}  // namespace rtb
