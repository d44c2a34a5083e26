#include "harness/proxies/haproxy_config.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/harness/proxies/proxy_test_util.hpp"

namespace rtb::test {
namespace {

using Lines = std::vector<std::string>;

std::string haproxy_text(const HaproxyOptions& o = {}) {
  ProxySite site;
  site.listen_port = 40002;
  site.upstream_host = "127.0.0.1";
  site.upstream_port = 8080;
  site.dir = "/w/haproxy-http";
  return haproxy_config(o, site);
}

TEST(HaproxyConfig, OneThreadKeepAliveHttpAndNoSyslog) {
  HaproxyOptions o;
  o.max_connections = 3000;
  const std::string c = haproxy_text(o);
  for (const char* line :
       {"  nbthread 1", "  maxconn 3000", "  mode http", "  timeout connect 5s", "  timeout client 3600000ms",
        "  timeout server 3600000ms", "  timeout tunnel 3600000ms", "  option http-no-delay",
        "  bind 127.0.0.1:40002", "  server rtbench 127.0.0.1:8080"}) {
    EXPECT_EQ(line_with(c, line), line) << c;
  }
  for (const char* absent : {"log", "daemon", "http-server-close", "httpclose", "nbproc"}) {
    for (const std::string& line : text_lines(c)) {
      if (line.rfind("#", 0) == 0) continue;
      EXPECT_EQ(line.find(absent), std::string::npos) << line;
    }
  }
}

TEST(HaproxyConfig, MoreServersAreBalancedRoundRobin) {
  EXPECT_EQ(line_with(haproxy_text(), "  balance"), "") << "one server: no balance line";
  ProxySite site;
  site.listen_port = 40002;
  site.upstream_port = 8080;
  site.more_upstream_ports = {8081, 8082};
  const std::string c = haproxy_config(HaproxyOptions{}, site);
  EXPECT_EQ(line_with(c, "  balance"), "  balance roundrobin") << c;
  EXPECT_EQ(line_with(c, "  server rtbench 127"), "  server rtbench 127.0.0.1:8080") << c;
  EXPECT_EQ(line_with(c, "  server rtbench2"), "  server rtbench2 127.0.0.1:8081") << c;
  EXPECT_EQ(line_with(c, "  server rtbench3"), "  server rtbench3 127.0.0.1:8082") << c;
}

TEST(HaproxyConfig, TcpModeDiffersOnlyInTheModeLineAndNoDelay) {
  HaproxyOptions tcp;
  tcp.mode = HaproxyMode::kTcp;
  EXPECT_EQ(lines_only_in(haproxy_text(), haproxy_text(tcp)),
            (Lines{"  mode http", "  option http-no-delay"}));
  EXPECT_EQ(lines_only_in(haproxy_text(tcp), haproxy_text()), (Lines{"  mode tcp"}));
}

TEST(HaproxyConfig, WithoutNoDelayOnlyThatOptionGoes) {
  HaproxyOptions stock;
  stock.no_delay = false;
  EXPECT_EQ(lines_only_in(haproxy_text(), haproxy_text(stock)), (Lines{"  option http-no-delay"}));
  EXPECT_TRUE(lines_only_in(haproxy_text(stock), haproxy_text()).empty());
}

TEST(HaproxyConfig, TheIdleTimeoutSetsClientServerAndTunnel) {
  HaproxyOptions o;
  o.idle_timeout_ms = 750;
  EXPECT_EQ(lines_only_in(haproxy_text(o), haproxy_text()),
            (Lines{"  timeout client 750ms", "  timeout server 750ms", "  timeout tunnel 750ms"}));
}

}  // namespace
}  // namespace rtb::test
