#include "transports/websocket/websocket_transport.hpp"

#include <memory>
#include <string>

#include "transports/common/subscribe_query.hpp"
#include "transports/http/header_tokens.hpp"
#include "transports/http/http_connection.hpp"
#include "transports/websocket/ws_frame_encoder.hpp"
#include "transports/websocket/ws_handshake.hpp"
#include "transports/websocket/ws_session.hpp"

namespace rtb {
namespace {

// A header field that may be repeated: RFC 9110 5.3 makes repeated fields one comma-separated list, so
// `Connection: keep-alive` + `Connection: Upgrade` means "keep-alive, Upgrade". Allocates only when repeated.
class JoinedField {
 public:
  void add(std::string_view value) {
    if (count_++ == 0) {
      first_ = value;
      return;
    }
    if (joined_.empty()) joined_.assign(first_);
    joined_.append(", ").append(value);
  }
  bool present() const { return count_ > 0; }
  int count() const { return count_; }
  std::string_view value() const { return count_ > 1 ? std::string_view(joined_) : first_; }

 private:
  std::string_view first_;
  std::string joined_;
  int count_ = 0;
};

// Refused upgrades close the connection: a client that asked to switch protocols may already be sending
// frames, which must not be read as the next HTTP request.
void refuse(HttpConnection& connection, int status, std::string_view reason, std::string_view extra = {}) {
  std::string body(reason);
  body += "\n";
  ResponseSpec spec;
  spec.status = status;
  spec.content_type = "text/plain; charset=utf-8";
  spec.extra_headers = extra;
  spec.body = body;
  spec.close = true;
  connection.respond(spec);
}

}  // namespace

WsContext::WsContext(Hub& hub_ref, WsConfig cfg) : hub(hub_ref), config(cfg) {}
WsContext::~WsContext() = default;

WebSocketTransport::WebSocketTransport(Hub& hub, WsConfig config) : context_(hub, config) {
  context_.ping_frame = ws_encode_server_frame(WsOpcode::kPing, {});
  // OpenSSL sets itself up on the first digest (2.4 MB of RSS: library pages, provider tables). Paid here, at
  // start-up, it no longer lands on the first connection, where it read as 2.4 KB per connection at 1,000.
  (void)ws_accept_for_key("dGhlIHNhbXBsZSBub25jZQ==");
}

// Only at process teardown can a connection outlive the transport; the registry tells its session not to
// touch us then.
WebSocketTransport::~WebSocketTransport() = default;

void WebSocketTransport::add_routes(Router& router) {
  router.add("/ws", {HttpMethod::kGet},
             [this](HttpConnection& c, const HttpRequest& r) { handle(c, r, Route::kPubSub); });
  router.add("/echo", {HttpMethod::kGet},
             [this](HttpConnection& c, const HttpRequest& r) { handle(c, r, Route::kEcho); });
}

void WebSocketTransport::shutdown() {
  shutting_down_ = true;
  close_all(ws_close::kGoingAway, "server shutdown");
}

void WebSocketTransport::close_all(std::uint16_t code, std::string_view reason) {
  context_.sessions.for_each([&](WsSession& s) { s.close(code, reason); });
}

void WebSocketTransport::handle(HttpConnection& connection, const HttpRequest& request, Route route) {
  ++context_.stats.requests;
  if (shutting_down_) {
    refuse(connection, 503, "server shutting down");
    return;
  }
  JoinedField upgrade, connection_field, version;
  std::string_view key;
  int key_count = 0;
  for (std::size_t i = 0; i < request.header_count(); ++i) {
    const std::string_view name = request.header_name(i);
    if (iequals(name, "Upgrade")) {
      upgrade.add(request.header_value(i));
    } else if (iequals(name, "Connection")) {
      connection_field.add(request.header_value(i));
    } else if (iequals(name, "Sec-WebSocket-Key")) {
      key = request.header_value(i);
      ++key_count;
    } else if (iequals(name, "Sec-WebSocket-Version")) {
      version.add(request.header_value(i));
    }
  }
  WsUpgradeRequest up;
  up.method = request.method_name();
  up.http_major = request.http_major();
  up.http_minor = request.http_minor();
  up.upgrade = upgrade.value();
  up.has_upgrade = upgrade.present();
  up.connection = connection_field.value();
  up.has_connection = connection_field.present();
  up.key = key;
  up.has_key = key_count == 1;  // two keys are malformed, not a choice
  up.version = version.value();
  up.has_version = version.present();
  WsHandshakeVerdict verdict = ws_check_upgrade(up);
  if (verdict.status == 426) {
    refuse(connection, 426, verdict.reason, "Sec-WebSocket-Version: 13\r\n");
    return;
  }
  if (verdict.status != 101) {
    ++context_.stats.protocol_errors;
    refuse(connection, 400, verdict.reason);
    return;
  }

  SubscribeQuery query;
  Channel* channel = nullptr;
  if (route == Route::kPubSub) {
    query = parse_subscribe_query(request);
    if (!query.error.empty()) {
      refuse(connection, 400, query.error);
      return;
    }
    channel = context_.hub.channel(query.channel);
    if (channel == nullptr) {
      refuse(connection, 503, "channel limit reached");
      return;
    }
  }
  auto owned = std::make_unique<WsSession>(
      context_, connection, route == Route::kPubSub ? WsSession::Mode::kPubSub : WsSession::Mode::kEcho);
  WsSession& session = *owned;
  // upgrade() sends the 101 and releases the request's memory: `request` is not touched after this line.
  connection.upgrade(std::move(owned), SharedBuffer::copy_of(ws_build_101_response(verdict.accept)));
  session.start(channel, query.has_since, query.since);
}

}  // namespace rtb
