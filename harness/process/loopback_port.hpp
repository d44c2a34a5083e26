// Ports on 127.0.0.1 for the components a run starts (proxies, Redis): pick a free one, see one accept.
#pragma once

#include <chrono>
#include <string>

namespace rtb {

// A port nothing listens on right now: bound to 0, read back, closed. Someone may take it before the
// component binds it; callers retry with another. -1 with the reason in *why.
int pick_free_port(std::string* why);
// True when a TCP connection to 127.0.0.1:port completes within `wait` (closed at once).
bool port_accepts(int port, std::chrono::milliseconds wait);

}  // namespace rtb
