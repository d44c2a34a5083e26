// A TCP socket bound for listening, not listening yet. With SO_REUSEPORT several processes listening on one
// port share its connections (`serve --workers N`), and one that never listens keeps a picked port for them.
#pragma once

#include <string>

namespace rtb {

// The descriptor (close-on-exec, non-blocking, SO_REUSEADDR), or a negative libuv error code
// (UV_EADDRINUSE, UV_EINVAL when `host` is not an IPv4 or IPv6 address).
int bind_tcp_socket(const std::string& host, int port, bool reuse_port);

}  // namespace rtb
