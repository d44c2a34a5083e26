#include "transports/websocket/ws_client_handshake.hpp"

#include <fmt/format.h>

#include "transports/common/client_response.hpp"
#include "transports/http/header_tokens.hpp"
#include "transports/websocket/ws_handshake.hpp"

namespace rtb {

std::string ws_upgrade_request(std::string_view target, std::string_view host, std::string_view key,
                               std::string_view extra_headers) {
  return fmt::format(
      "GET {} HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: {}\r\nSec-WebSocket-Version: 13\r\n{}\r\n",
      target, host, key, extra_headers);
}

std::optional<WsHandshakeFailure> ws_check_upgrade_answer(const WsUpgradeAnswer& answer,
                                                          std::string_view key) {
  if (answer.status != 101) {
    return WsHandshakeFailure{ClientErrorKind::kHttpStatus,
                              fmt::format("HTTP {} instead of 101 Switching Protocols", answer.status)};
  }
  if (!header_has_token(answer.upgrade, "websocket") || !header_has_token(answer.connection, "upgrade")) {
    return WsHandshakeFailure{ClientErrorKind::kProtocol,
                              "101 without Upgrade: websocket and Connection: Upgrade"};
  }
  if (!ws_accept_matches(key, answer.accept)) {
    return WsHandshakeFailure{ClientErrorKind::kProtocol, "Sec-WebSocket-Accept does not answer our key"};
  }
  return std::nullopt;
}

std::string WsClientHandshake::begin(std::string_view target, std::string_view host,
                                     std::string_view extra_headers, WsRandom& random) {
  key_ = ws_make_client_key(random.next(), random.next());
  parser_ = std::make_unique<HttpResponseParser>(static_cast<HttpResponseEvents&>(*this));
  failure_.reset();
  return ws_upgrade_request(target, host, key_, extra_headers);
}

WsClientHandshake::Step WsClientHandshake::feed(const char* data, std::size_t len, std::size_t& used,
                                                ClientWireCounters& counters) {
  used = feed_response(*parser_, data, len, counters);
  if (parser_->failed())
    failure_ = WsHandshakeFailure{ClientErrorKind::kProtocol, std::string(parser_->error())};
  if (failure_) return Step::kRefused;
  if (!parser_->upgraded()) return Step::kMore;
  ++counters.responses;
  return Step::kSwitched;
}

void WsClientHandshake::on_response_head(const HttpResponseHead& head) {
  failure_ = ws_check_upgrade_answer(
      {head.status, head.header("Upgrade"), head.header("Connection"), head.header("Sec-WebSocket-Accept")},
      key_);
}

}  // namespace rtb
