#include "transports/common/client_request.hpp"

#include <fmt/format.h>

namespace rtb {

std::string build_get_request(const ClientOptions& options, std::string_view target, bool close) {
  std::string req =
      fmt::format("GET {}{} HTTP/1.1\r\nHost: {}\r\n", options.path_prefix, target, options.host_header);
  req += options.extra_headers;
  if (close) req += "Connection: close\r\n";
  req += "\r\n";
  return req;
}

}  // namespace rtb
