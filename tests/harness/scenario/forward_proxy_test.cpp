// --proxy: what a forward proxy URL may be, and the route a client takes through it.
#include "harness/scenario/forward_proxy.hpp"

#include <gtest/gtest.h>

#include "harness/scenario/load_options.hpp"

namespace rtb {
namespace {

ServerUrl server(std::string_view text) {
  std::string error;
  auto url = parse_server_url(text, &error);
  EXPECT_TRUE(url) << error;
  return url.value_or(ServerUrl{});
}

TEST(ForwardProxy, OnlyPlainHttpHostAndPort) {
  std::string error;
  EXPECT_TRUE(parse_forward_proxy("http://127.0.0.1:3128", &error)) << error;
  EXPECT_TRUE(parse_forward_proxy("http://[::1]:3128/", &error)) << error;
  for (std::string_view bad : {"127.0.0.1:3128", "https://127.0.0.1:3128", "socks5://127.0.0.1:1080",
                               "http://127.0.0.1:3128/proxy", "http://127.0.0.1:99999", "http://:3128"}) {
    error.clear();
    EXPECT_FALSE(parse_forward_proxy(bad, &error)) << bad;
    EXPECT_EQ(error.rfind(std::string("--proxy ") + std::string(bad) + ": ", 0), 0u) << error;
  }
}

TEST(ForwardProxy, RequestsGoInAbsoluteFormToTheServerBehind) {
  std::string error;
  const auto proxy = parse_forward_proxy("http://127.0.0.2:3128", &error);
  ASSERT_TRUE(proxy);
  const ProxyRoute route = route_through(*proxy, server("http://127.0.0.1:8080/rt"), false);
  EXPECT_TRUE(route.tunnel_to.empty());
  EXPECT_EQ(route.origin, "http://127.0.0.1:8080");  // the server's prefix follows, as without a proxy
  EXPECT_EQ(format_address(route.connect_to), "127.0.0.2");
}

TEST(ForwardProxy, ATunnelNamesTheServerWithItsPortAlways) {
  std::string error;
  const auto proxy = parse_forward_proxy("http://127.0.0.2:3128", &error);
  ASSERT_TRUE(proxy);
  ProxyRoute route = route_through(*proxy, server("wss://localhost"), true);
  EXPECT_EQ(route.tunnel_to, "localhost:443");
  EXPECT_TRUE(route.origin.empty());
  route = route_through(*proxy, server("http://[::1]:8080"), true);
  EXPECT_EQ(route.tunnel_to, "[::1]:8080");
}

std::string set_load_option(LoadConfig& c, std::string_view name, std::string_view value) {
  const LoadOption* option = find_load_option(name);
  return option != nullptr ? option->set(c, value) : "no such option";
}

TEST(ForwardProxy, LoadOptionsRefuseABadProxyAndATunnelModeThatDoesNotExist) {
  LoadConfig c;
  EXPECT_EQ(set_load_option(c, "--proxy", "http://127.0.0.1:3128"), "");
  EXPECT_EQ(c.proxy, "http://127.0.0.1:3128");
  EXPECT_NE(set_load_option(c, "--proxy", "https://127.0.0.1:3128"), "");
  EXPECT_EQ(set_load_option(c, "--proxy-tunnel", "never"), "");
  EXPECT_EQ(c.proxy_tunnel, ProxyTunnel::kNever);
  EXPECT_NE(set_load_option(c, "--proxy-tunnel", "sometimes"), "");
}

}  // namespace
}  // namespace rtb
