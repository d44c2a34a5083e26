// The status line of a forward proxy's answer to CONNECT; the tunnel itself is tested through ClientLink
// (tests/common/client_link_test.cpp), which is how every client uses it.
#include "transports/net/connect_tunnel.hpp"

#include <gtest/gtest.h>

namespace rtb {
namespace {

TEST(ProxyAnswer, CodeAndStatusLineOfHttpAnswers) {
  auto a = parse_proxy_answer("HTTP/1.1 200 Connection established\r\nVia: squid");
  EXPECT_EQ(a.code, 200);
  EXPECT_EQ(a.status_line, "200 Connection established");
  a = parse_proxy_answer("HTTP/1.0 403 Forbidden");
  EXPECT_EQ(a.code, 403);
  EXPECT_EQ(a.status_line, "403 Forbidden");
  EXPECT_EQ(parse_proxy_answer("HTTP/1.1 502").code, 502);  // the reason phrase may be absent
}

TEST(ProxyAnswer, AnythingElseIsNotAnAnswer) {
  for (std::string_view head : {"", "HTTP/1.1", "HTTP/2 200 OK", "HTTP/1.1 20 OK", "HTTP/1.1 2000 OK",
                                "HTTP/1.1 099 Low", "HTTP/1.1 600 High", "HTTP/1.1 2x0 OK",
                                "HTTP/1.1  200 OK", "SSH-2.0-OpenSSH_9.2", "http/1.1 200 OK"}) {
    EXPECT_EQ(parse_proxy_answer(head).code, 0) << head;
  }
}

}  // namespace
}  // namespace rtb
