// A TCP socket bound with SO_REUSEPORT, not listening yet: several processes listening on one port share its
// connections (`serve --workers N`), and one that never listens keeps a picked port for them. libuv 1.44 has
// no flag for it, so the socket is made here; a listener hands it to libuv with uv_tcp_open.
#pragma once

#include <string>

namespace rtb {

// The descriptor (close-on-exec, non-blocking), or a negative libuv error code (UV_EADDRINUSE, UV_EINVAL when
// `host` is not an IPv4 or IPv6 address).
int bind_reuseport_socket(const std::string& host, int port);

}  // namespace rtb
