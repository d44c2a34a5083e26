#include "harness/scenario/header_profile.hpp"

#include <fmt/format.h>

#include <charconv>

#include "harness/scenario/chromium_heads.hpp"

namespace rtb {

namespace {

// Firefox 115 ESR on Linux fetching a same-origin endpoint, with the cookie jar of a typical web app
// (session, analytics, CSRF, preferences). With Host and the request line of a poll this makes a request head
// of about 800 bytes, the size behind the classic 871-byte polling argument (which also counted response
// headers).
constexpr std::string_view kBrowserBeforeConnection =
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0\r\n"
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n"
    "Accept-Language: en-US,en;q=0.5\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Referer: https://app.example.com/dashboard/notifications\r\n"
    "Cookie: sessionid=3f9c2a7e8b1d4c6f9a0e5b7d2c8f1a4e; csrftoken=Xq7Lm2Np9Rt4Vw8Yz1Bc5Df3Gh6Jk0Ms; "
    "_ga=GA1.2.1184729301.1700000000; _gid=GA1.2.2093847561.1700086400; "
    "_fbp=fb.1.1700000000000.1234567890; theme=dark; lang=en-US; tz=Europe%2FBerlin; "
    "consent=analytics%3Atrue%2Cmarketing%3Afalse; "
    "_hjSessionUser_3141592=eyJpZCI6ImE3YjJjOWQxLTRlNWYtNDZhOCJ9\r\n";
constexpr std::string_view kBrowserConnection = "Connection: keep-alive\r\n";
constexpr std::string_view kBrowserAfterConnection =
    "Pragma: no-cache\r\n"
    "Cache-Control: no-cache\r\n";

constexpr std::string_view kPadName = "X-Pad: ";
constexpr std::size_t kPadLineOverhead = 9;  // "X-Pad: " + CRLF

}  // namespace

std::string HeaderProfile::name() const {
  switch (kind) {
    case HeaderProfileKind::kMinimal:
      return "minimal";
    case HeaderProfileKind::kBrowser:
      return "browser";
    case HeaderProfileKind::kSized:
      return std::to_string(head_bytes);
    case HeaderProfileKind::kChromium:
      return "chromium";
  }
  return "unknown";
}

std::optional<HeaderProfile> parse_header_profile(std::string_view text, std::string* error) {
  HeaderProfile p;
  if (text == "minimal") return p;
  if (text == "browser") {
    p.kind = HeaderProfileKind::kBrowser;
    return p;
  }
  if (text == "chromium") {
    p.kind = HeaderProfileKind::kChromium;
    return p;
  }
  std::size_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n == 0 || n > 64 * 1024) {
    if (error != nullptr) {
      *error = fmt::format(
          "--headers {}: expected minimal, browser, chromium, or the request head size in bytes (for example "
          "871)",
          text);
    }
    return std::nullopt;
  }
  p.kind = HeaderProfileKind::kSized;
  p.head_bytes = n;
  return p;
}

std::size_t min_sized_head_bytes(std::size_t base_head_bytes) {
  return base_head_bytes + kPadLineOverhead;
}

std::optional<std::string> header_profile_text(const HeaderProfile& profile, std::size_t base_head_bytes,
                                               bool connection_close) {
  switch (profile.kind) {
    case HeaderProfileKind::kMinimal:
      return std::string();
    case HeaderProfileKind::kBrowser: {
      std::string out(kBrowserBeforeConnection);
      if (!connection_close) out += kBrowserConnection;
      out += kBrowserAfterConnection;
      return out;
    }
    case HeaderProfileKind::kChromium: {
      std::string out(kChromiumPollBeforeConnection);
      if (!connection_close) out += kChromiumPollConnection;
      out += kChromiumPollAfterConnection;
      return out;
    }
    case HeaderProfileKind::kSized: {
      if (profile.head_bytes < min_sized_head_bytes(base_head_bytes)) return std::nullopt;
      std::string out(kPadName);
      out.append(profile.head_bytes - base_head_bytes - kPadLineOverhead, 'x');
      out += "\r\n";
      return out;
    }
  }
  return std::nullopt;
}

std::size_t header_profile_bytes(const HeaderProfile& profile, std::size_t base_head_bytes,
                                 bool connection_close) {
  auto text = header_profile_text(profile, base_head_bytes, connection_close);
  return text ? text->size() : 0;
}

}  // namespace rtb
