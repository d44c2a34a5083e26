#include "transports/http/http_date.hpp"

#include <cstdio>

namespace rtb {

namespace {
// One loop per process, so no locking; time() is a vDSO call and cheaper than formatting.
std::time_t g_cached_second = 0;
char g_line[64];
std::size_t g_line_len = 0;
}  // namespace

void HttpDate::refresh(std::time_t now) {
  std::tm utc{};
  gmtime_r(&now, &utc);
  g_line_len = std::strftime(g_line, sizeof(g_line), "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &utc);
  g_cached_second = now;
}

std::string_view HttpDate::header_line() {
  std::time_t now = std::time(nullptr);
  if (now != g_cached_second || g_line_len == 0) refresh(now);
  return {g_line, g_line_len};
}

}  // namespace rtb
