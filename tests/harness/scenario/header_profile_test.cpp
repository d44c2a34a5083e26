#include "harness/scenario/header_profile.hpp"

#include <gtest/gtest.h>

#include "transports/common/client_request.hpp"

namespace rtb {
namespace {

ClientOptions options_with(const HeaderProfile& profile, std::string_view target, bool close) {
  ClientOptions o;
  o.host_header = "127.0.0.1:8080";
  o.channel = "rtbench";
  std::size_t base = build_get_request(o, target, close).size();
  o.extra_headers = header_profile_text(profile, base, close).value();
  return o;
}

constexpr std::string_view kTarget = "/poll?channel=rtbench&since=1234";

TEST(HeaderProfile, ParsesNamesAndSizes) {
  std::string error;
  EXPECT_EQ(parse_header_profile("minimal", &error)->kind, HeaderProfileKind::kMinimal);
  EXPECT_EQ(parse_header_profile("browser", &error)->kind, HeaderProfileKind::kBrowser);
  auto sized = parse_header_profile("871", &error);
  ASSERT_TRUE(sized);
  EXPECT_EQ(sized->kind, HeaderProfileKind::kSized);
  EXPECT_EQ(sized->head_bytes, 871u);
  EXPECT_EQ(sized->name(), "871");
  EXPECT_FALSE(parse_header_profile("firefox", &error));
  EXPECT_NE(error.find("minimal, browser"), std::string::npos);
  EXPECT_FALSE(parse_header_profile("0", &error));
  EXPECT_FALSE(parse_header_profile("12x", &error));
}

TEST(HeaderProfile, MinimalAddsNothingBeyondHost) {
  HeaderProfile minimal;
  ClientOptions bare;
  bare.host_header = "127.0.0.1:8080";
  ClientOptions o = options_with(minimal, kTarget, false);
  EXPECT_EQ(header_profile_bytes(minimal, 0, false), 0u);
  EXPECT_EQ(build_get_request(o, kTarget, false), build_get_request(bare, kTarget, false));
  EXPECT_EQ(build_get_request(o, kTarget, false),
            "GET /poll?channel=rtbench&since=1234 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n");
}

TEST(HeaderProfile, BrowserRequestIsAbout800BytesAndAccountedExactly) {
  HeaderProfile browser{HeaderProfileKind::kBrowser, 0};
  ClientOptions bare;
  bare.host_header = "127.0.0.1:8080";
  const std::size_t base = build_get_request(bare, kTarget, false).size();
  ClientOptions o = options_with(browser, kTarget, false);
  const std::size_t head = build_get_request(o, kTarget, false).size();
  EXPECT_EQ(head, base + header_profile_bytes(browser, base, false));
  EXPECT_GE(head, 750u);
  EXPECT_LE(head, 850u);
  // Every header a browser poll carries, each line CRLF-terminated.
  const std::string& h = o.extra_headers;
  for (const char* name :
       {"User-Agent: ", "Accept: ", "Accept-Language: ", "Accept-Encoding: ", "Referer: ", "Cookie: ",
        "Connection: keep-alive", "Pragma: no-cache", "Cache-Control: no-cache"}) {
    EXPECT_NE(h.find(name), std::string::npos) << name;
  }
  EXPECT_TRUE(h.ends_with("\r\n"));
  EXPECT_EQ(h.find("\r\n\r\n"), std::string::npos);
}

TEST(HeaderProfile, BrowserWithConnectionCloseHasOneConnectionHeader) {
  HeaderProfile browser{HeaderProfileKind::kBrowser, 0};
  ClientOptions o = options_with(browser, kTarget, true);
  const std::string req = build_get_request(o, kTarget, true);
  EXPECT_EQ(req.find("Connection: keep-alive"), std::string::npos);
  EXPECT_NE(req.find("Connection: close"), std::string::npos);
  ClientOptions bare;
  bare.host_header = "127.0.0.1:8080";
  const std::size_t base = build_get_request(bare, kTarget, true).size();
  EXPECT_EQ(req.size(), base + header_profile_bytes(browser, base, true));
}

TEST(HeaderProfile, SizedPadsTheHeadToExactlyThatSize) {
  for (std::size_t size : {100u, 871u, 4000u}) {
    for (bool close : {false, true}) {
      HeaderProfile sized{HeaderProfileKind::kSized, size};
      ClientOptions o = options_with(sized, kTarget, close);
      EXPECT_EQ(build_get_request(o, kTarget, close).size(), size) << size << " close=" << close;
      EXPECT_TRUE(o.extra_headers.starts_with("X-Pad: "));
    }
  }
}

TEST(HeaderProfile, SizedBelowTheBaseIsRefused) {
  ClientOptions bare;
  bare.host_header = "127.0.0.1:8080";
  const std::size_t base = build_get_request(bare, kTarget, false).size();
  HeaderProfile too_small{HeaderProfileKind::kSized, base + 8};
  EXPECT_FALSE(header_profile_text(too_small, base, false));
  EXPECT_EQ(header_profile_bytes(too_small, base, false), 0u);
  HeaderProfile smallest{HeaderProfileKind::kSized, min_sized_head_bytes(base)};
  EXPECT_EQ(header_profile_text(smallest, base, false).value(), "X-Pad: \r\n");
}

}  // namespace
}  // namespace rtb
