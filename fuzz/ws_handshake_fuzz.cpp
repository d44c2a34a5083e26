// Fuzzes the WebSocket opening handshake checks (ws_check_upgrade, ws_key_is_valid, header_has_token and the
// accept value) on input-made request fields, against the rules of RFC 6455 section 4.2.1 restated here.
//
// Input: byte 0 has the has_* flags (bits 0-3: Upgrade, Connection, Sec-WebSocket-Key, Sec-WebSocket-Version)
// and the HTTP version (bits 4-5: 1.1, 1.0, 2.0, 0.9); the rest is split at '\n' into method, Upgrade,
// Connection, key, version and a free token for header_has_token.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "transports/http/header_tokens.hpp"
#include "transports/websocket/ws_handshake.hpp"

namespace rtb {
namespace {

[[noreturn]] void violation(const char* what) {
  std::fprintf(stderr, "ws_handshake_fuzz: %s\n", what);
  std::abort();
}

// Reference versions, written differently from the code under test on purpose.
char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

bool ref_iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool ref_has_token(std::string_view value, std::string_view token) {
  if (token.empty()) return false;
  std::string element;
  for (std::size_t i = 0; i <= value.size(); ++i) {
    if (i < value.size() && value[i] != ',') {
      element += value[i];
      continue;
    }
    std::size_t b = element.find_first_not_of(" \t");
    std::size_t e = element.find_last_not_of(" \t");
    std::string_view trimmed =
        b == std::string::npos ? std::string_view{} : std::string_view(element).substr(b, e - b + 1);
    if (ref_iequals(trimmed, token)) return true;
    element.clear();
  }
  return false;
}

bool ref_key_is_valid(std::string_view key) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  if (key.size() != 24 || key.substr(22) != "==") return false;
  for (char c : key.substr(0, 22)) {
    if (c == '\0' || std::strchr(kAlphabet, c) == nullptr) return false;
  }
  return true;
}

void check_verdict(const WsUpgradeRequest& r) {
  const WsHandshakeVerdict v = ws_check_upgrade(r);
  if (v.status != 101 && v.status != 400 && v.status != 426) violation("status other than 101, 400, 426");
  if (v.reason.empty()) violation("verdict without a reason");
  // What every switching request must satisfy, up to (not including) the version check.
  const std::string_view key = trim_ows(r.key);
  const bool well_formed =
      r.method == "GET" && (r.http_major > 1 || (r.http_major == 1 && r.http_minor >= 1)) && r.has_upgrade &&
      ref_has_token(r.upgrade, "websocket") && r.has_connection && ref_has_token(r.connection, "upgrade") &&
      r.has_key && ref_key_is_valid(key) && r.has_version;
  const bool version_13 = trim_ows(r.version) == "13";
  const int expected = !well_formed ? 400 : version_13 ? 101 : 426;
  if (v.status != expected) violation("verdict differs from RFC 6455 4.2.1");
  if (v.status != 101) {
    if (!v.accept.empty()) violation("accept value on a refusal");
    return;
  }
  if (v.accept != ws_accept_for_key(key)) violation("accept is not ws_accept_for_key(key)");
  if (v.accept.size() != 28 || v.accept.back() != '=') violation("accept is not base64 of 20 bytes");
  if (!ws_accept_matches(key, v.accept)) violation("client side rejects the server's accept");
  const std::string head = ws_build_101_response(v.accept);
  if (head.rfind("HTTP/1.1 101 ", 0) != 0 ||
      head.find("Sec-WebSocket-Accept: " + v.accept + "\r\n") == std::string::npos ||
      head.substr(head.size() - 4) != "\r\n\r\n") {
    violation("malformed 101 response");
  }
}

}  // namespace
}  // namespace rtb

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rtb;
  if (size < 1) return 0;
  const std::uint8_t flags = data[0];
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::vector<std::string_view> fields;
  while (fields.size() < 5) {
    const std::size_t nl = rest.find('\n');
    fields.push_back(rest.substr(0, nl));
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
  }
  const std::string_view token = rest;

  static constexpr int kVersions[4][2] = {{1, 1}, {1, 0}, {2, 0}, {0, 9}};
  WsUpgradeRequest r;
  r.method = fields[0];
  r.http_major = kVersions[(flags >> 4) & 3][0];
  r.http_minor = kVersions[(flags >> 4) & 3][1];
  r.upgrade = fields[1];
  r.connection = fields[2];
  r.key = fields[3];
  r.version = fields[4];
  r.has_upgrade = flags & 1;
  r.has_connection = flags & 2;
  r.has_key = flags & 4;
  r.has_version = flags & 8;
  check_verdict(r);

  // The helpers on their own, on every field.
  for (std::string_view f : {fields[0], fields[1], fields[2], fields[3], fields[4], token}) {
    if (header_has_token(f, token) != ref_has_token(f, token)) violation("header_has_token differs");
    if (iequals(f, token) != ref_iequals(f, token)) violation("iequals differs");
    const std::string_view t = trim_ows(f);
    if (trim_ows(t) != t ||
        (!t.empty() && (t.front() == ' ' || t.front() == '\t' || t.back() == ' ' || t.back() == '\t'))) {
      violation("trim_ows left whitespace");
    }
    if (ws_key_is_valid(f) != ref_key_is_valid(f)) violation("ws_key_is_valid differs");
  }

  // A key the client side makes from input bits is always valid and always accepted.
  std::uint64_t hi = 0, lo = 0;
  for (std::size_t i = 0; i < 16 && i < size; ++i) (i < 8 ? hi : lo) = ((i < 8 ? hi : lo) << 8) | data[i];
  const std::string key = ws_make_client_key(hi, lo);
  if (!ws_key_is_valid(key)) violation("ws_make_client_key made an invalid key");
  WsUpgradeRequest good;
  good.method = "GET";
  good.upgrade = "websocket";
  good.connection = "Upgrade";
  good.key = key;
  good.version = "13";
  good.has_upgrade = good.has_connection = good.has_key = good.has_version = true;
  check_verdict(good);
  return 0;
}
