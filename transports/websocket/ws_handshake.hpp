// The WebSocket opening handshake (RFC 6455 section 4): checking an upgrade request and computing the accept
// value on the server, making a key and verifying the answer on the client.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace rtb {

// The parts of an HTTP request the handshake depends on, filled by the HTTP layer (views into its buffers).
struct WsUpgradeRequest {
  std::string_view method;
  int http_major = 1;
  int http_minor = 1;
  std::string_view upgrade;
  std::string_view connection;
  std::string_view key;      // Sec-WebSocket-Key
  std::string_view version;  // Sec-WebSocket-Version
  bool has_upgrade = false;
  bool has_connection = false;
  bool has_key = false;
  bool has_version = false;
};

struct WsHandshakeVerdict {
  // 101: switch (send ws_build_101_response(accept)); 400: malformed request;
  // 426: unsupported version (the response must carry "Sec-WebSocket-Version: 13").
  int status = 400;
  std::string accept;       // only when status == 101
  std::string_view reason;  // a static description of the refusal, for logs and the response body
};

// base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")).
std::string ws_accept_for_key(std::string_view client_key);

// Base64 that decodes to exactly 16 bytes (24 characters ending in "==").
bool ws_key_is_valid(std::string_view key);

WsHandshakeVerdict ws_check_upgrade(const WsUpgradeRequest& request);

// The complete response head that switches the connection to WebSocket.
std::string ws_build_101_response(std::string_view accept);

// Client side: the Sec-WebSocket-Key for 16 random bytes given as two 64-bit halves (big-endian).
std::string ws_make_client_key(std::uint64_t random_hi, std::uint64_t random_lo);

// Client side: whether the server's Sec-WebSocket-Accept answers our key.
bool ws_accept_matches(std::string_view client_key, std::string_view accept_header);

}  // namespace rtb
