#include "harness/scenario/server_url.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>

namespace rtb {
namespace {

TEST(ServerUrl, ParsesHostPortAndPrefix) {
  std::string error;
  auto url = parse_server_url("http://127.0.0.1:8080", &error);
  ASSERT_TRUE(url) << error;
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, 8080);
  EXPECT_EQ(url->host_header, "127.0.0.1:8080");
  EXPECT_EQ(url->path_prefix, "");
  EXPECT_TRUE(url->loopback);
  EXPECT_EQ(ntohs(reinterpret_cast<const sockaddr_in*>(&url->address)->sin_port), 8080);

  url = parse_server_url("http://127.0.0.1/rt/", &error);
  ASSERT_TRUE(url) << error;
  EXPECT_EQ(url->port, 80);
  EXPECT_EQ(url->host_header, "127.0.0.1");
  EXPECT_EQ(url->path_prefix, "/rt");

  url = parse_server_url("ws://[::1]:9000", &error);
  ASSERT_TRUE(url) << error;
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->host_header, "[::1]:9000");
  EXPECT_TRUE(url->loopback);

  url = parse_server_url("http://localhost:8080", &error);
  ASSERT_TRUE(url) << error;
  EXPECT_TRUE(url->loopback);
}

TEST(ServerUrl, HttpsAndWssAreTlsOnPort443ByDefault) {
  auto https = parse_server_url("https://127.0.0.1", nullptr);
  ASSERT_TRUE(https);
  EXPECT_TRUE(https->tls);
  EXPECT_EQ(https->port, 443);
  EXPECT_EQ(https->host_header, "127.0.0.1");
  auto wss = parse_server_url("wss://localhost:8443/x", nullptr);
  ASSERT_TRUE(wss);
  EXPECT_TRUE(wss->tls);
  EXPECT_EQ(wss->port, 8443);
  EXPECT_EQ(wss->host, "localhost");
  EXPECT_EQ(wss->host_header, "localhost:8443");
  EXPECT_EQ(wss->path_prefix, "/x");
  auto plain = parse_server_url("http://127.0.0.1:8080", nullptr);
  ASSERT_TRUE(plain);
  EXPECT_FALSE(plain->tls);
}

TEST(ServerUrl, RefusesWithAReason) {
  std::string error;
  EXPECT_FALSE(parse_server_url("127.0.0.1:8080", &error));
  EXPECT_NE(error.find("http://HOST:PORT"), std::string::npos);
  EXPECT_FALSE(parse_server_url("ftp://127.0.0.1", &error));
  EXPECT_NE(error.find("https://HOST:PORT"), std::string::npos);
  EXPECT_FALSE(parse_server_url("http://127.0.0.1:99999", &error));
  EXPECT_NE(error.find("port"), std::string::npos);
  EXPECT_FALSE(parse_server_url("http://127.0.0.1:80x", &error));
  EXPECT_FALSE(parse_server_url("http://:8080", &error));
  EXPECT_FALSE(parse_server_url("http://::1:8080", &error));
  EXPECT_NE(error.find("brackets"), std::string::npos);
  EXPECT_FALSE(parse_server_url("http://127.0.0.1:8080/poll?channel=x", &error));
  EXPECT_FALSE(parse_server_url("http://no-such-host.invalid:8080", &error));
  EXPECT_NE(error.find("resolve"), std::string::npos);
}

TEST(ServerUrl, IpLiterals) {
  auto a = parse_ip_literal("127.0.0.2");
  ASSERT_TRUE(a);
  EXPECT_EQ(format_address(*a), "127.0.0.2");
  EXPECT_TRUE(parse_ip_literal("::1"));
  EXPECT_FALSE(parse_ip_literal("localhost"));
}

}  // namespace
}  // namespace rtb
