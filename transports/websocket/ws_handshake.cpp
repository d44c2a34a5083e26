#include "transports/websocket/ws_handshake.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <cstddef>
#include <string>

#include "transports/http/header_tokens.hpp"

namespace rtb {
namespace {

constexpr std::string_view kAcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

std::string base64(const unsigned char* bytes, std::size_t len) {
  // EVP_EncodeBlock writes 4 characters per 3 input bytes plus a terminating NUL.
  std::string out(4 * ((len + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes, static_cast<int>(len));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

constexpr bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

}  // namespace

std::string ws_accept_for_key(std::string_view client_key) {
  std::string input;
  input.reserve(client_key.size() + kAcceptGuid.size());
  input.append(client_key);
  input.append(kAcceptGuid);
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  return base64(digest, sizeof digest);
}

bool ws_key_is_valid(std::string_view key) {
  // 16 bytes are 5 full 3-byte groups plus one byte: 22 symbols and "==".
  if (key.size() != 24 || key[22] != '=' || key[23] != '=') return false;
  for (std::size_t i = 0; i < 22; ++i) {
    if (!is_base64_char(key[i])) return false;
  }
  return true;
}

WsHandshakeVerdict ws_check_upgrade(const WsUpgradeRequest& request) {
  WsHandshakeVerdict v;
  v.status = 400;
  if (request.method != "GET") {
    v.reason = "WebSocket upgrade requires GET";
  } else if (request.http_major < 1 || (request.http_major == 1 && request.http_minor < 1)) {
    v.reason = "WebSocket upgrade requires HTTP/1.1";
  } else if (!request.has_upgrade || !header_has_token(request.upgrade, "websocket")) {
    v.reason = "missing Upgrade: websocket";
  } else if (!request.has_connection || !header_has_token(request.connection, "upgrade")) {
    v.reason = "missing Connection: upgrade";
  } else if (!request.has_key || !ws_key_is_valid(trim_ows(request.key))) {
    v.reason = "missing or invalid Sec-WebSocket-Key";
  } else if (!request.has_version) {
    v.reason = "missing Sec-WebSocket-Version";
  } else if (trim_ows(request.version) != "13") {
    v.status = 426;
    v.reason = "unsupported Sec-WebSocket-Version (13 is supported)";
  } else {
    v.status = 101;
    v.accept = ws_accept_for_key(trim_ows(request.key));
    v.reason = "Switching Protocols";
  }
  return v;
}

std::string ws_build_101_response(std::string_view accept) {
  std::string out;
  out.reserve(128);
  out.append(
      "HTTP/1.1 101 Switching Protocols\r\n"
      "Upgrade: websocket\r\n"
      "Connection: Upgrade\r\n"
      "Sec-WebSocket-Accept: ");
  out.append(accept);
  out.append("\r\n\r\n");
  return out;
}

std::string ws_make_client_key(std::uint64_t random_hi, std::uint64_t random_lo) {
  unsigned char bytes[16];
  for (int i = 0; i < 8; ++i) {
    bytes[i] = static_cast<unsigned char>(random_hi >> (56 - 8 * i));
    bytes[8 + i] = static_cast<unsigned char>(random_lo >> (56 - 8 * i));
  }
  return base64(bytes, sizeof bytes);
}

bool ws_accept_matches(std::string_view client_key, std::string_view accept_header) {
  // base64 is case-sensitive, so this is an exact comparison.
  return trim_ows(accept_header) == ws_accept_for_key(client_key);
}

}  // namespace rtb
