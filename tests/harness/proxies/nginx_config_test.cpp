#include "harness/proxies/nginx_config.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "tests/harness/proxies/proxy_test_util.hpp"

namespace rtb::test {
namespace {

using Lines = std::vector<std::string>;

ProxySite nginx_site() {
  ProxySite site;
  site.listen_port = 40001;
  site.upstream_host = "127.0.0.2";
  site.upstream_port = 8080;
  site.dir = "/w/nginx";
  site.log_path = "/w/nginx/nginx.log";
  site.pid_path = "/w/nginx/nginx.pid";
  return site;
}

std::string nginx_text(const NginxOptions& o = {}) {
  return nginx_config(o, nginx_site());
}

// The number a directive is set to ("worker_connections 2064;" -> 2064).
long directive_value(const std::string& text, const std::string& directive) {
  const std::string line = line_with(text, directive + " ");
  return line.empty() ? -1 : std::atol(line.c_str() + line.find(directive) + directive.size());
}

TEST(NginxConfig, OneForegroundProcessWithEveryFileInTheDir) {
  const std::string c = nginx_text();
  for (const char* line :
       {"daemon off;", "master_process off;", "worker_processes 1;", "pid /w/nginx/nginx.pid;",
        "error_log /w/nginx/nginx.log warn;", "  access_log off;"}) {
    EXPECT_FALSE(line_with(c, line).empty()) << line << " missing in\n" << c;
  }
  int temp_paths = 0;
  for (const std::string& line : text_lines(c)) {
    if (line.find("_temp_path ") == std::string::npos) continue;
    ++temp_paths;
    EXPECT_NE(line.find(" /w/nginx/"), std::string::npos) << line;
  }
  EXPECT_EQ(temp_paths, 5);  // client_body, proxy, fastcgi, uwsgi, scgi: all nginx has
  EXPECT_EQ(c.find("/var/"), std::string::npos) << c;
}

TEST(NginxConfig, DescriptorsAndConnectionsCoverBothSidesOfEveryClient) {
  NginxOptions o;
  o.max_connections = 5000;
  const std::string c = nginx_text(o);
  const long connections = directive_value(c, "worker_connections");
  EXPECT_GE(connections, 2 * 5000 + 1);  // client side, upstream side, and the listener
  EXPECT_GT(directive_value(c, "worker_rlimit_nofile"), connections);
  EXPECT_EQ(directive_value(c, "keepalive"), 5000);
}

TEST(NginxConfig, ByDefaultForwardsUpgradesUnbufferedWithUpstreamKeepAlive) {
  const std::string c = nginx_text();
  for (const char* line :
       {"    listen 127.0.0.1:40001 backlog=4096;", "    server 127.0.0.2:8080;",
        "      proxy_pass http://rtbench;", "      proxy_http_version 1.1;",
        "      proxy_set_header Upgrade $http_upgrade;",
        "      proxy_set_header Connection $connection_upgrade;", "      proxy_buffering off;",
        "      proxy_read_timeout 3600000ms;", "      proxy_send_timeout 3600000ms;",
        "  map $http_upgrade $connection_upgrade {", "    default upgrade;", "    '' '';"}) {
    EXPECT_EQ(line_with(c, line), line) << c;
  }
  EXPECT_EQ(c.find("proxy_ignore_headers"), std::string::npos);
}

TEST(NginxConfig, WithoutForwardUpgradeOnlyTheUpgradeHeadersChange) {
  NginxOptions o;
  o.forward_upgrade = false;
  EXPECT_EQ(lines_only_in(nginx_text(), nginx_text(o)),
            (Lines{"      proxy_set_header Upgrade $http_upgrade;",
                   "      proxy_set_header Connection $connection_upgrade;"}));
  // Connection "" keeps upstream keep-alive: nginx's default would be Connection: close.
  EXPECT_EQ(lines_only_in(nginx_text(o), nginx_text()), (Lines{"      proxy_set_header Connection \"\";"}));
}

TEST(NginxConfig, BufferingAndIgnoringTheAccelHeaderAreOneLineEach) {
  NginxOptions buffered;
  buffered.buffering = true;
  EXPECT_EQ(lines_only_in(nginx_text(), nginx_text(buffered)), (Lines{"      proxy_buffering off;"}));
  EXPECT_EQ(lines_only_in(nginx_text(buffered), nginx_text()), (Lines{"      proxy_buffering on;"}));
  NginxOptions ignored = buffered;
  ignored.ignore_accel_buffering = true;
  EXPECT_EQ(lines_only_in(nginx_text(buffered), nginx_text(ignored)), Lines{});
  EXPECT_EQ(lines_only_in(nginx_text(ignored), nginx_text(buffered)),
            (Lines{"      proxy_ignore_headers X-Accel-Buffering;"}));
}

TEST(NginxConfig, TheIdleTimeoutSetsReadAndSendTimeouts) {
  NginxOptions o;
  o.idle_timeout_ms = 500;
  EXPECT_EQ(lines_only_in(nginx_text(o), nginx_text()),
            (Lines{"      proxy_read_timeout 500ms;", "      proxy_send_timeout 500ms;"}));
  EXPECT_EQ(lines_only_in(nginx_text(), nginx_text(o)).size(), 2u);
}

}  // namespace
}  // namespace rtb::test
