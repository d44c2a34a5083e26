#include "harness/proxies/squid_config.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/harness/proxies/proxy_test_util.hpp"

namespace rtb::test {
namespace {

using Lines = std::vector<std::string>;

std::string squid_text(const SquidOptions& o = {}) {
  ProxySite site;
  site.listen_port = 40003;
  site.dir = "/w/squid";
  site.log_path = "/w/squid/squid.log";
  site.pid_path = "/w/squid/squid.pid";
  return squid_config(o, site);
}

TEST(SquidConfig, OneProcessNoCacheAndItsFilesInTheDir) {
  SquidOptions o;
  o.max_connections = 2000;
  const std::string c = squid_text(o);
  for (const char* line :
       {"http_port 127.0.0.1:40003", "workers 1", "cache deny all", "access_log none",
        "cache_log /w/squid/squid.log", "pid_filename /w/squid/squid.pid", "coredump_dir /w/squid",
        "cache_effective_user proxy", "pinger_enable off", "http_access allow localhost"}) {
    EXPECT_EQ(line_with(c, line), line) << c;
  }
  EXPECT_GE(std::stoi(line_with(c, "max_filedescriptors ").substr(20)), 2 * 2000);
  EXPECT_EQ(c.find("cache_dir"), std::string::npos) << c;
  EXPECT_EQ(c.find("/var/"), std::string::npos) << c;
}

TEST(SquidConfig, TheStockRuleAllowsConnectOnlyToSslPorts) {
  const std::string c = squid_text();
  const Lines rules = {"acl SSL_ports port 443", "http_access deny !Safe_ports",
                       "http_access deny CONNECT !SSL_ports", "http_access allow localhost",
                       "http_access deny all"};
  std::size_t last = 0;
  for (const std::string& rule : rules) {  // present, and in this order
    const std::size_t at = c.find(rule + "\n");
    ASSERT_NE(at, std::string::npos) << rule << " missing in\n" << c;
    EXPECT_GE(at, last) << rule << " out of order";
    last = at;
  }
}

TEST(SquidConfig, AllowingAConnectPortAddsExactlyOneSslPortsLine) {
  SquidOptions o;
  o.allow_connect_to_port = 8080;
  EXPECT_EQ(lines_only_in(squid_text(o), squid_text()), (Lines{"acl SSL_ports port 8080"}));
  EXPECT_EQ(lines_only_in(squid_text(), squid_text(o)), Lines{});
  // Declared before the rule that uses it.
  EXPECT_LT(squid_text(o).find("acl SSL_ports port 8080"), squid_text(o).find("http_access deny CONNECT"));
}

}  // namespace
}  // namespace rtb::test
