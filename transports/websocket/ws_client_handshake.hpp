// The client end of the WebSocket opening handshake (RFC 6455 4.1): the upgrade request, whether an answer
// accepts it, and WsClientHandshake, which runs one on a fresh connection. Every client of ours uses these:
// WsClient, the echo round-trip client and the tests' blocking client.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "transports/common/client_session.hpp"
#include "transports/http/http_response_parser.hpp"
#include "transports/websocket/ws_random.hpp"

namespace rtb {

// The request head: GET `target`, Host, the upgrade headers with `key` and version 13, then `extra_headers`
// (complete lines ending in \r\n) and the blank line.
std::string ws_upgrade_request(std::string_view target, std::string_view host, std::string_view key,
                               std::string_view extra_headers = {});

// The parts of the server's answer that the handshake depends on (views into the caller's head).
struct WsUpgradeAnswer {
  int status = 0;
  std::string_view upgrade;
  std::string_view connection;
  std::string_view accept;  // Sec-WebSocket-Accept
};

struct WsHandshakeFailure {
  ClientErrorKind kind = ClientErrorKind::kProtocol;  // kHttpStatus: not a 101; kProtocol: an invalid one
  std::string detail;
};

// Why an answer to an upgrade request sent with `key` does not switch to WebSocket; nullopt when it does.
std::optional<WsHandshakeFailure> ws_check_upgrade_answer(const WsUpgradeAnswer& answer,
                                                          std::string_view key);

// One handshake at a time: begin() on each new connection, then feed() the bytes that come back.
class WsClientHandshake final : private HttpResponseEvents {
 public:
  enum class Step : std::uint8_t {
    kMore,      // the answer is not complete yet
    kRefused,   // see failure()
    kSwitched,  // a valid 101: the connection is a WebSocket now
  };

  // The request head for `target` with a fresh key from `random`; the answer is read from scratch.
  std::string begin(std::string_view target, std::string_view host, std::string_view extra_headers,
                    WsRandom& random);
  // Reads answer bytes, counting their head bytes, and the 101 as a response, into `counters`. After
  // kSwitched, the bytes from data + used on are the WebSocket's (frames that came with the 101).
  Step feed(const char* data, std::size_t len, std::size_t& used, ClientWireCounters& counters);
  // Why the last feed() gave kRefused.
  const WsHandshakeFailure& failure() const { return *failure_; }
  // Frees the answer parser (after the switch, or when the connection ends).
  void end() { parser_.reset(); }

 private:
  void on_response_head(const HttpResponseHead& head) override;
  void on_response_body(std::string_view bytes) override { (void)bytes; }
  void on_response_complete(const HttpResponseHead& head) override { (void)head; }

  std::unique_ptr<HttpResponseParser> parser_;  // one per handshake
  std::string key_;                             // Sec-WebSocket-Key of this handshake
  std::optional<WsHandshakeFailure> failure_;
};

}  // namespace rtb
