// build_get_request: the request head every HTTP subscriber client sends.
#pragma once

#include <string>
#include <string_view>

#include "transports/common/client_session.hpp"

namespace rtb {

// The request line and headers every HTTP client of ours sends: `GET <target> HTTP/1.1`, Host, the header
// profile, and `Connection: close` when asked.
std::string build_get_request(const ClientOptions& options, std::string_view target, bool close);

}  // namespace rtb
