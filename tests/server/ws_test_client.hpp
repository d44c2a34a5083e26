// WsTestClient: a blocking WebSocket client for loopback tests that writes frames byte by byte as told
// (masked or not, any RSV bits, opcode or declared length, in one write or in chunks) and reads the server's
// frames exactly as they are on the wire. Built on BlockingClient, the real client handshake
// (ws_client_handshake.hpp) and the real frame code (header encoding and decoding, masking); only what the
// codec refuses to write on purpose (any first byte, non-minimal lengths, raw close payloads) is chosen here.
// The codec's own tests check it against an independent oracle instead: tests/websocket/ws_test_support.hpp.
#pragma once

#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tests/support/blocking_client.hpp"
#include "transports/websocket/ws_client_handshake.hpp"
#include "transports/websocket/ws_frame.hpp"
#include "transports/websocket/ws_frame_encoder.hpp"
#include "transports/websocket/ws_masking.hpp"

namespace rtb::test {

// First-byte values for hand-built frames.
namespace ws_b0 {
constexpr std::uint8_t kFin = 0x80;
constexpr std::uint8_t kRsv1 = 0x40;
constexpr std::uint8_t kCont = 0x0;
constexpr std::uint8_t kText = 0x1;
constexpr std::uint8_t kBinary = 0x2;
constexpr std::uint8_t kClose = 0x8;
constexpr std::uint8_t kPing = 0x9;
constexpr std::uint8_t kPong = 0xA;
}  // namespace ws_b0

// The RFC 6455 1.3 sample key and the accept value the RFC gives for it.
inline constexpr std::string_view kWsSampleKey = "dGhlIHNhbXBsZSBub25jZQ==";
inline constexpr std::string_view kWsSampleAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

// The frame header alone: minimal length encoding unless `force_ext` picks 16- (126) or 64-bit (127)
// lengths; `mask` null writes an unmasked header.
inline std::string ws_header(std::uint8_t b0, std::uint64_t len, const std::uint8_t* mask,
                             int force_ext = 0) {
  const WsLengthForm form = force_ext == 126   ? WsLengthForm::k16Bit
                            : force_ext == 127 ? WsLengthForm::k64Bit
                                               : WsLengthForm::kShortest;
  std::uint8_t out[kWsMaxHeaderBytes];
  return {reinterpret_cast<const char*>(out), ws_encode_raw_frame_header(out, b0, len, mask, form)};
}

// A complete client frame: header plus payload masked with `mask` (or sent in clear when mask is null).
inline std::string ws_frame(std::uint8_t b0, std::string_view payload, const std::uint8_t* mask) {
  std::string out = ws_header(b0, payload.size(), mask);
  const std::size_t header = out.size();
  out.append(payload);
  if (mask != nullptr) ws_apply_mask(out.data() + header, payload.size(), mask, 0);
  return out;
}

// Hex dump for readable assertion messages about binary payloads.
inline std::string ws_test_hex(std::string_view s) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char ch : s) {
    if (!out.empty()) out.push_back(' ');
    out.push_back(kDigits[ch >> 4]);
    out.push_back(kDigits[ch & 15]);
  }
  return out;
}

struct WsFrame {
  std::uint8_t b0 = 0;  // FIN, RSV and opcode as received
  bool masked = false;
  std::size_t header_size = 0;
  std::string payload;

  bool fin() const { return (b0 & 0x80) != 0; }
  int rsv() const { return (b0 >> 4) & 7; }
  int opcode() const { return b0 & 0x0F; }
  bool is_close() const { return opcode() == ws_b0::kClose; }
  // The close code; 1005 (no status) for an empty close payload, -1 for a malformed one.
  int close_code() const {
    if (payload.empty()) return 1005;
    if (payload.size() < 2) return -1;
    return (static_cast<std::uint8_t>(payload[0]) << 8) | static_cast<std::uint8_t>(payload[1]);
  }
};

class WsTestClient {
 public:
  // Connects and sends an upgrade request for `target`; `request` replaces the whole default request.
  explicit WsTestClient(int port, std::string_view target = "/echo", std::string_view request = {})
      : tcp_(port) {
    if (!tcp_.connected()) return;
    tcp_.send(request.empty() ? upgrade_request(target) : std::string(request));
    response_ = tcp_.read_response();
  }

  static std::string upgrade_request(std::string_view target, std::string_view extra_headers = {}) {
    return ws_upgrade_request(target, "127.0.0.1", kWsSampleKey, extra_headers);
  }

  // The server's answer switched to WebSocket, as the load generator's clients check it.
  bool upgraded() const {
    if (!response_) return false;
    const std::string upgrade = response_->header("upgrade"), connection = response_->header("connection"),
                      accept = response_->header("sec-websocket-accept");
    return !ws_check_upgrade_answer({response_->status, upgrade, connection, accept}, kWsSampleKey);
  }
  const std::optional<HttpResponse>& response() const { return response_; }
  BlockingClient& tcp() { return tcp_; }

  // A fresh masking key for every frame, different in every byte position, so unmasking offsets are tested.
  const std::uint8_t* next_mask() {
    ++mask_counter_;
    for (int i = 0; i < 4; ++i) mask_[i] = static_cast<std::uint8_t>(0x37 + 61 * i + 17 * mask_counter_);
    return mask_;
  }

  bool send_raw(std::string_view bytes) { return tcp_.send(bytes); }
  bool send_frame(std::uint8_t b0, std::string_view payload) { return send_raw(frame(b0, payload)); }
  // The bytes of a masked frame with a fresh key (to build several frames for one write).
  std::string frame(std::uint8_t b0, std::string_view payload) { return ws_frame(b0, payload, next_mask()); }
  // Any code and any reason, as given (0, 1005, 65535, a 124-byte or invalid UTF-8 reason ...): the codec's
  // ws_close_payload writes valid close payloads only.
  bool send_close(int code, std::string_view reason = {}) {
    std::string payload{static_cast<char>((code >> 8) & 0xFF), static_cast<char>(code & 0xFF)};
    return send_frame(ws_b0::kFin | ws_b0::kClose, payload.append(reason));
  }

  // Sends `bytes` in pieces of the given sizes (the last size repeats), pausing a little between pieces so
  // each one reaches the server in its own read.
  bool send_in_chunks(std::string_view bytes,
                      std::initializer_list<std::size_t> sizes = {1, 1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89,
                                                                  144, 1000, 10000}) {
    std::vector<std::size_t> pieces(sizes);
    std::size_t i = 0;
    while (!bytes.empty()) {
      const std::size_t n = std::min(bytes.size(), pieces[std::min(i++, pieces.size() - 1)]);
      if (!send_raw(bytes.substr(0, n))) return false;
      bytes.remove_prefix(n);
      if (!bytes.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
  }

  // The next frame from the server; nullopt on timeout or when the connection closed first.
  std::optional<WsFrame> read_frame(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string& buf = tcp_.buffer();
    if (!fill(2, deadline)) return std::nullopt;
    const std::size_t header = ws_header_size_of(static_cast<std::uint8_t>(buf[1]));
    if (!fill(header, deadline)) return std::nullopt;
    const std::uint64_t len = ws_declared_payload_length(reinterpret_cast<const std::uint8_t*>(buf.data()));
    if (!fill(header + len, deadline)) return std::nullopt;
    const auto* head = reinterpret_cast<const std::uint8_t*>(buf.data());  // fill() may have moved the buffer
    WsFrame f;
    f.b0 = head[0];
    f.masked = (head[1] & 0x80) != 0;
    f.header_size = header;
    f.payload = buf.substr(header, len);
    if (f.masked) ws_apply_mask(f.payload.data(), f.payload.size(), head + header - 4, 0);
    buf.erase(0, header + len);
    return f;
  }

  // One data message, reassembled from its fragments (control frames in between fail it): b0 is the first
  // frame's with FIN set, `fragments` how many frames carried it.
  std::optional<WsFrame> read_message(std::size_t* fragments = nullptr,
                                      std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    auto first = read_frame(timeout);
    if (!first || first->opcode() == ws_b0::kCont || (first->opcode() & 0x8) != 0) return std::nullopt;
    std::size_t count = 1;
    while (!first->fin()) {
      auto next = read_frame(timeout);
      if (!next || next->opcode() != ws_b0::kCont) return std::nullopt;
      first->payload += next->payload;
      first->b0 = static_cast<std::uint8_t>(first->b0 | (next->b0 & 0x80));
      ++count;
    }
    if (fragments != nullptr) *fragments = count;
    return first;
  }

  // Reads frames up to and including a close frame; its code, or -2 when none came (the data frames read on
  // the way are appended to `before`).
  int read_close_code(std::vector<WsFrame>* before = nullptr,
                      std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    for (;;) {
      auto f = read_frame(timeout);
      if (!f) return -2;
      if (f->is_close()) return f->close_code();
      if (before != nullptr) before->push_back(std::move(*f));
    }
  }

  // True when the server closed TCP (FIN or reset) within the timeout and sent nothing more before that.
  bool closed_with_nothing_more(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    const bool closed = tcp_.wait_closed(timeout);
    return closed && tcp_.buffer().empty();
  }

  // Clean close from our side: close 1000, the server's close 1000, then the server closes TCP.
  bool close_cleanly() {
    if (!send_close(1000)) return false;
    return read_close_code() == 1000 && closed_with_nothing_more();
  }

 private:
  // Reads until the buffer holds `n` bytes; false on timeout, EOF or reset.
  bool fill(std::size_t n, std::chrono::steady_clock::time_point deadline) {
    std::string& buf = tcp_.buffer();
    while (buf.size() < n) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{tcp_.fd(), POLLIN, 0};
      const int rc = ::poll(&p, 1, static_cast<int>(left.count()));
      if (rc < 0 && errno == EINTR) continue;
      if (rc <= 0) return false;
      char tmp[65536];
      const ssize_t got = ::recv(tcp_.fd(), tmp, sizeof tmp, 0);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) return false;
      buf.append(tmp, static_cast<std::size_t>(got));
    }
    return true;
  }

  BlockingClient tcp_;
  std::optional<HttpResponse> response_;
  std::uint8_t mask_[4] = {};
  std::uint32_t mask_counter_ = 0;
};

}  // namespace rtb::test
