// ProxySite: where an intermediary listens, where it forwards, and the files it keeps; what every config
// generator (nginx_config, haproxy_config, squid_config) fills its text from.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rtb {

// One hour: longer than any gap between events in a run, so the correct configuration never cuts a quiet
// stream; a failure-table variant sets a shorter one on purpose.
inline constexpr std::uint64_t kProxyDefaultIdleTimeoutMs = 3'600'000;

struct ProxySite {
  int listen_port = 0;                      // on 127.0.0.1
  std::string upstream_host = "127.0.0.1";  // the rtbench server (a forward proxy is told it per request)
  int upstream_port = 0;
  // HAProxy: further rtbench servers of the same backend, balanced round robin with the first.
  std::vector<int> more_upstream_ports;
  std::string dir;       // absolute and existing: the proxy's config, pid file and temporary files
  std::string log_path;  // the proxy's own error log; its stdout and stderr are appended to the same file
  std::string pid_path;  // for the proxies that write one (nginx, squid)
};

}  // namespace rtb
