// Squid as a forward proxy on 127.0.0.1 (clients send absolute-form requests, or CONNECT for a tunnel): the
// configuration text, with Debian's stock access rules.
#pragma once

#include <string>

#include "harness/proxies/proxy_site.hpp"

namespace rtb {

struct SquidOptions {
  // 0: the stock rule, CONNECT only to the SSL ports (443), so a WebSocket or any tunnel to rtbench's port is
  // refused with 403. A port: CONNECT to it is allowed as well (the fix).
  int allow_connect_to_port = 0;
  int max_connections = 1024;  // client connections; max_filedescriptors is sized for both sides
  // Squid started as root switches to this user (Debian's squid runs as `proxy`) and refuses to run as root;
  // the site's dir and log file must be writable by it (intermediary.cpp hands them over).
  std::string effective_user = "proxy";
};

std::string squid_config(const SquidOptions& options, const ProxySite& site);

}  // namespace rtb
