// The client end of the opening handshake: the request bytes, the verdict on every kind of answer, and
// WsClientHandshake reading an answer in any split, with the frames that came along with the 101.
#include "transports/websocket/ws_client_handshake.hpp"

#include <gtest/gtest.h>

#include <string>

#include "transports/websocket/ws_handshake.hpp"

namespace rtb {
namespace {

constexpr std::string_view kSampleNonceKey = "dGhlIHNhbXBsZSBub25jZQ==";
constexpr std::string_view kSampleNonceAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

std::string switching_answer(std::string_view accept) {
  return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Accept: " +
         std::string(accept) + "\r\n\r\n";
}

// The key of a request head that ws_upgrade_request made.
std::string key_in_request(const std::string& request) {
  const auto at = request.find("Sec-WebSocket-Key: ");
  return at == std::string::npos ? std::string() : request.substr(at + 19, 24);
}

TEST(WsClientHandshake, TheRequestIsTheRfcsWithTheExtraHeadersLast) {
  EXPECT_EQ(
      ws_upgrade_request("/chat?x=1", "server.example.com", kSampleNonceKey,
                         "Origin: http://example.com\r\n"),
      "GET /chat?x=1 HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
      "Origin: http://example.com\r\n\r\n");
  EXPECT_EQ(ws_upgrade_request("/", "h", kSampleNonceKey).substr(0, 16), "GET / HTTP/1.1\r\n");
  EXPECT_TRUE(ws_upgrade_request("/", "h", kSampleNonceKey).ends_with("Version: 13\r\n\r\n"));
}

TEST(WsClientHandshake, TheVerdictOnEachKindOfAnswer) {
  EXPECT_FALSE(ws_check_upgrade_answer({101, "websocket", "Upgrade", kSampleNonceAccept}, kSampleNonceKey));
  EXPECT_FALSE(ws_check_upgrade_answer({101, "WebSocket", "keep-alive, upgrade", kSampleNonceAccept},
                                       kSampleNonceKey));

  auto status = ws_check_upgrade_answer({400, "", "", ""}, kSampleNonceKey);
  ASSERT_TRUE(status);
  EXPECT_EQ(status->kind, ClientErrorKind::kHttpStatus);
  EXPECT_EQ(status->detail, "HTTP 400 instead of 101 Switching Protocols");

  auto no_upgrade = ws_check_upgrade_answer({101, "", "Upgrade", kSampleNonceAccept}, kSampleNonceKey);
  ASSERT_TRUE(no_upgrade);
  EXPECT_EQ(no_upgrade->kind, ClientErrorKind::kProtocol);
  EXPECT_EQ(no_upgrade->detail, "101 without Upgrade: websocket and Connection: Upgrade");
  EXPECT_TRUE(ws_check_upgrade_answer({101, "websocket", "close", kSampleNonceAccept}, kSampleNonceKey));

  auto wrong_accept =
      ws_check_upgrade_answer({101, "websocket", "Upgrade", ws_accept_for_key("x")}, kSampleNonceKey);
  ASSERT_TRUE(wrong_accept);
  EXPECT_EQ(wrong_accept->kind, ClientErrorKind::kProtocol);
  EXPECT_EQ(wrong_accept->detail, "Sec-WebSocket-Accept does not answer our key");
}

TEST(WsClientHandshake, ASplitAnswerSwitchesWithTheFramesThatCameAlong) {
  WsRandom random(7);
  WsClientHandshake handshake;
  const std::string request = handshake.begin("/echo", "127.0.0.1", {}, random);
  const std::string key = key_in_request(request);
  ASSERT_TRUE(ws_key_is_valid(key)) << request;
  const std::string head = switching_answer(ws_accept_for_key(key));
  const std::string wire = head + "\x81\x02hi";
  ClientWireCounters counters;
  std::size_t used = 0;
  for (std::size_t i = 0; i + 1 < head.size(); ++i) {
    ASSERT_EQ(handshake.feed(&wire[i], 1, used, counters), WsClientHandshake::Step::kMore) << i;
  }
  ASSERT_EQ(handshake.feed(&wire[head.size() - 1], wire.size() - head.size() + 1, used, counters),
            WsClientHandshake::Step::kSwitched);
  EXPECT_EQ(used, 1u);  // the last byte of the head; the frame is the WebSocket's
  EXPECT_EQ(counters.header_bytes_down, head.size());
  EXPECT_EQ(counters.responses, 1u);
  // Each handshake has its own key.
  EXPECT_NE(key_in_request(handshake.begin("/echo", "127.0.0.1", {}, random)), key);
}

TEST(WsClientHandshake, RefusalsSayWhy) {
  WsRandom random(8);
  WsClientHandshake handshake;
  ClientWireCounters counters;
  std::size_t used = 0;

  handshake.begin("/ws", "h", {}, random);
  const std::string refused = "HTTP/1.1 400 Bad Request\r\nContent-Length: 3\r\n\r\nbad";
  ASSERT_EQ(handshake.feed(refused.data(), refused.size(), used, counters),
            WsClientHandshake::Step::kRefused);
  EXPECT_EQ(handshake.failure().kind, ClientErrorKind::kHttpStatus);
  EXPECT_EQ(counters.responses, 0u);

  handshake.begin("/ws", "h", {}, random);  // a new connection starts afresh
  const std::string wrong = switching_answer(kSampleNonceAccept);
  ASSERT_EQ(handshake.feed(wrong.data(), wrong.size(), used, counters), WsClientHandshake::Step::kRefused);
  EXPECT_EQ(handshake.failure().kind, ClientErrorKind::kProtocol);

  handshake.begin("/ws", "h", {}, random);
  const std::string garbage = "SSH-2.0-OpenSSH\r\n\r\n";
  ASSERT_EQ(handshake.feed(garbage.data(), garbage.size(), used, counters),
            WsClientHandshake::Step::kRefused);
  EXPECT_EQ(handshake.failure().kind, ClientErrorKind::kProtocol);
  EXPECT_FALSE(handshake.failure().detail.empty());
}

}  // namespace
}  // namespace rtb
