// HttpDate: the `Date:` header line, formatted at most once per second and shared by every response.
#pragma once

#include <ctime>
#include <string_view>

namespace rtb {

class HttpDate {
 public:
  // "Date: Wed, 25 Nov 2026 13:53:27 GMT\r\n"
  static std::string_view header_line();

 private:
  static void refresh(std::time_t now);
};

}  // namespace rtb
