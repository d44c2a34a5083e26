#include "transports/websocket/ws_handshake.hpp"

#include <gtest/gtest.h>

#include <string>

namespace rtb {
namespace {

constexpr std::string_view kRfcHandshakeKey = "dGhlIHNhbXBsZSBub25jZQ==";
constexpr std::string_view kRfcAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

WsUpgradeRequest good_request() {
  WsUpgradeRequest r;
  r.method = "GET";
  r.http_major = 1;
  r.http_minor = 1;
  r.upgrade = "websocket";
  r.connection = "Upgrade";
  r.key = kRfcHandshakeKey;
  r.version = "13";
  r.has_upgrade = r.has_connection = r.has_key = r.has_version = true;
  return r;
}

TEST(WsHandshake, RfcAcceptExample) {
  EXPECT_EQ(ws_accept_for_key(kRfcHandshakeKey), kRfcAccept);
}

TEST(WsHandshake, KeyValidity) {
  EXPECT_TRUE(ws_key_is_valid(kRfcHandshakeKey));
  EXPECT_TRUE(ws_key_is_valid("AAAAAAAAAAAAAAAAAAAAAA=="));
  EXPECT_TRUE(ws_key_is_valid("+/+/+/+/+/+/+/+/+/+/+w=="));
  EXPECT_FALSE(ws_key_is_valid(""));
  EXPECT_FALSE(ws_key_is_valid("dGhlIHNhbXBsZSBub25jZQ="));    // 23 characters
  EXPECT_FALSE(ws_key_is_valid("dGhlIHNhbXBsZSBub25jZQ==="));  // 25 characters
  EXPECT_FALSE(ws_key_is_valid("dGhlIHNhbXBsZSBub25jZQAA"));   // 18 bytes, no padding
  EXPECT_FALSE(ws_key_is_valid("dGhlIHNhbXBsZSBub25jZ=A="));   // padding in the wrong place
  EXPECT_FALSE(ws_key_is_valid("dGhlIHNhbXBsZSBub25jZ*=="));   // not base64
  EXPECT_FALSE(ws_key_is_valid("dGhlIHNhbXBsZSBub25j Q=="));
  EXPECT_FALSE(ws_key_is_valid("dGhlIHNhbXBsZSBub25jZQ"));        // unpadded
  EXPECT_FALSE(ws_key_is_valid("MDEyMzQ1Njc4OWFiY2RlZmdoaWo="));  // 20 bytes
}

TEST(WsHandshake, AcceptsTheRfcRequest) {
  const WsHandshakeVerdict v = ws_check_upgrade(good_request());
  EXPECT_EQ(v.status, 101);
  EXPECT_EQ(v.accept, kRfcAccept);
}

TEST(WsHandshake, AcceptsTokenListsCaseInsensitively) {
  WsUpgradeRequest r = good_request();
  r.connection = "keep-alive, Upgrade";
  r.upgrade = "WebSocket";
  EXPECT_EQ(ws_check_upgrade(r).status, 101);
  r.connection = "UPGRADE,keep-alive";
  r.upgrade = "h2c, websocket";
  EXPECT_EQ(ws_check_upgrade(r).status, 101);
  r.http_major = 2;
  r.http_minor = 0;
  EXPECT_EQ(ws_check_upgrade(r).status, 101);
  r = good_request();
  r.key = " dGhlIHNhbXBsZSBub25jZQ== ";
  r.version = "13 ";
  const WsHandshakeVerdict v = ws_check_upgrade(r);
  EXPECT_EQ(v.status, 101);
  EXPECT_EQ(v.accept, kRfcAccept);
}

TEST(WsHandshake, RefusesMalformedRequests) {
  struct Case {
    const char* name;
    void (*mutate)(WsUpgradeRequest&);
    int status;
  };
  const Case cases[] = {
      {"POST", [](WsUpgradeRequest& r) { r.method = "POST"; }, 400},
      {"lowercase get", [](WsUpgradeRequest& r) { r.method = "get"; }, 400},
      {"HTTP/1.0", [](WsUpgradeRequest& r) { r.http_minor = 0; }, 400},
      {"HTTP/0.9",
       [](WsUpgradeRequest& r) {
         r.http_major = 0;
         r.http_minor = 9;
       },
       400},
      {"no Upgrade",
       [](WsUpgradeRequest& r) {
         r.has_upgrade = false;
         r.upgrade = {};
       },
       400},
      {"Upgrade: h2c", [](WsUpgradeRequest& r) { r.upgrade = "h2c"; }, 400},
      {"Upgrade: websockets", [](WsUpgradeRequest& r) { r.upgrade = "websockets"; }, 400},
      {"no Connection",
       [](WsUpgradeRequest& r) {
         r.has_connection = false;
         r.connection = {};
       },
       400},
      {"Connection: keep-alive", [](WsUpgradeRequest& r) { r.connection = "keep-alive"; }, 400},
      {"Connection: upgraded", [](WsUpgradeRequest& r) { r.connection = "upgraded"; }, 400},
      {"no key",
       [](WsUpgradeRequest& r) {
         r.has_key = false;
         r.key = {};
       },
       400},
      {"empty key", [](WsUpgradeRequest& r) { r.key = ""; }, 400},
      {"short key", [](WsUpgradeRequest& r) { r.key = "dGhlIHNhbXBsZQ=="; }, 400},
      {"no version",
       [](WsUpgradeRequest& r) {
         r.has_version = false;
         r.version = {};
       },
       400},
      {"version 8", [](WsUpgradeRequest& r) { r.version = "8"; }, 426},
      {"version 12", [](WsUpgradeRequest& r) { r.version = "12"; }, 426},
      {"version 130", [](WsUpgradeRequest& r) { r.version = "130"; }, 426},
      {"version list", [](WsUpgradeRequest& r) { r.version = "8, 13"; }, 426},
      {"empty version", [](WsUpgradeRequest& r) { r.version = ""; }, 426},
  };
  for (const auto& c : cases) {
    WsUpgradeRequest r = good_request();
    c.mutate(r);
    const WsHandshakeVerdict v = ws_check_upgrade(r);
    EXPECT_EQ(v.status, c.status) << c.name;
    EXPECT_TRUE(v.accept.empty()) << c.name;
    EXPECT_FALSE(v.reason.empty()) << c.name;
  }
}

TEST(WsHandshake, Builds101Response) {
  EXPECT_EQ(ws_build_101_response(kRfcAccept),
            "HTTP/1.1 101 Switching Protocols\r\n"
            "Upgrade: websocket\r\n"
            "Connection: Upgrade\r\n"
            "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
            "\r\n");
}

TEST(WsHandshake, ClientKeyFromRandomHalves) {
  EXPECT_EQ(ws_make_client_key(0x0001020304050607ULL, 0x08090a0b0c0d0e0fULL), "AAECAwQFBgcICQoLDA0ODw==");
  EXPECT_EQ(ws_make_client_key(0, 0), "AAAAAAAAAAAAAAAAAAAAAA==");
  // "the sample nonce" is the RFC's key: 16 ASCII bytes.
  EXPECT_EQ(ws_make_client_key(0x7468652073616d70ULL, 0x6c65206e6f6e6365ULL), kRfcHandshakeKey);
  const std::string key = ws_make_client_key(0xDEADBEEFCAFEBABEULL, 0x0123456789ABCDEFULL);
  EXPECT_TRUE(ws_key_is_valid(key));
}

TEST(WsHandshake, ClientChecksTheAccept) {
  EXPECT_TRUE(ws_accept_matches(kRfcHandshakeKey, kRfcAccept));
  EXPECT_TRUE(ws_accept_matches(kRfcHandshakeKey, " s3pPLMBiTxaQ9kYGzzhZRbK+xOo= "));
  EXPECT_FALSE(
      ws_accept_matches(kRfcHandshakeKey, "S3pPLMBiTxaQ9kYGzzhZRbK+xOo="));  // base64 is case-sensitive
  EXPECT_FALSE(ws_accept_matches(kRfcHandshakeKey, ""));
  EXPECT_FALSE(ws_accept_matches("AAAAAAAAAAAAAAAAAAAAAA==", kRfcAccept));
  const std::string key = ws_make_client_key(42, 43);
  EXPECT_TRUE(ws_accept_matches(key, ws_accept_for_key(key)));
}

}  // namespace
}  // namespace rtb
