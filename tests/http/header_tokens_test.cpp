// The tokens helper lives in transports/http but is tested here, next to the handshake that depends on it.
#include "transports/http/header_tokens.hpp"

#include <gtest/gtest.h>

#include <string_view>

namespace rtb {
namespace {

TEST(HeaderTokens, Iequals) {
  EXPECT_TRUE(iequals("", ""));
  EXPECT_TRUE(iequals("Upgrade", "upgrade"));
  EXPECT_TRUE(iequals("SEC-WEBSOCKET-KEY", "Sec-WebSocket-Key"));
  EXPECT_FALSE(iequals("upgrade", "upgrades"));
  EXPECT_FALSE(iequals("a", "b"));
  EXPECT_FALSE(iequals("[", "{"));  // 0x5B vs 0x7B: only letters fold
  EXPECT_FALSE(iequals("@", "`"));
  EXPECT_FALSE(iequals("\xC3\x89", "\xC3\xA9"));  // no folding outside ASCII
}

TEST(HeaderTokens, TrimOws) {
  EXPECT_EQ(trim_ows(""), "");
  EXPECT_EQ(trim_ows(" \t "), "");
  EXPECT_EQ(trim_ows(" a b\t"), "a b");
  EXPECT_EQ(trim_ows("x"), "x");
}

TEST(HeaderTokens, HasToken) {
  struct Case {
    std::string_view value;
    std::string_view token;
    bool expected;
  };
  const Case cases[] = {
      {"Upgrade", "upgrade", true},
      {"keep-alive, Upgrade", "upgrade", true},
      {"keep-alive,Upgrade", "upgrade", true},
      {"UPGRADE, keep-alive", "upgrade", true},
      {"  upgrade  ", "upgrade", true},
      {"\tupgrade\t,close", "upgrade", true},
      {",,upgrade,,", "upgrade", true},
      {"keep-alive , upgrade , close", "close", true},
      {"websocket", "WebSocket", true},
      {"", "upgrade", false},
      {",", "upgrade", false},
      {"keep-alive", "upgrade", false},
      {"upgrades", "upgrade", false},
      {"upgrade2, keep-alive", "upgrade", false},
      {"grade", "upgrade", false},
      {"up grade", "upgrade", false},
      {"keep-alive upgrade", "upgrade", false},  // space is not a separator
      {"upgrade", "", false},
      {"a,,b", "", false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(header_has_token(c.value, c.token), c.expected) << "'" << c.value << "' / '" << c.token << "'";
  }
}

}  // namespace
}  // namespace rtb
