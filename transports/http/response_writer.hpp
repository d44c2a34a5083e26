// ResponseWriter: builds a complete HTTP/1.1 response (head and body) into one buffer with one allocation.
#pragma once

#include <string_view>

#include "transports/net/shared_buffer.hpp"

namespace rtb {

std::string_view http_status_reason(int status);

struct ResponseSpec {
  int status = 200;
  std::string_view content_type;   // omitted when empty
  std::string_view extra_headers;  // complete lines, each ending in \r\n
  std::string_view body;
  bool close = false;              // adds `Connection: close`
  bool http10_keep_alive = false;  // adds `Connection: keep-alive` (HTTP/1.0 peers that asked for it)
  bool head_only = false;          // HEAD: Content-Length of the body, but no body bytes
  bool no_content_length = false;  // streaming responses (SSE): the body never ends
};

class ResponseWriter {
 public:
  static SharedBuffer build(const ResponseSpec& spec);
  // Size of the head build() writes, for accounting without building.
  static std::size_t head_size(const ResponseSpec& spec);
};

}  // namespace rtb
