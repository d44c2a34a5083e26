#include "transports/websocket/ws_client.hpp"

#include <fmt/format.h>

#include "transports/websocket/ws_event_format.hpp"
#include "transports/websocket/ws_frame_encoder.hpp"

namespace rtb {

WsClient::WsClient(Loop& loop, ClientOptions options, ClientEvents& events)
    : options_(std::move(options)),
      events_(events),
      link_(loop, options_.server, options_.source, options_.tls, options_.tunnel_to,
            options_.request_timeout_ms, counters_, *this),
      last_id_(options_.since) {}

void WsClient::start() {
  if (!link_.stopped()) return;
  link_.start();
  backoff_.reset();
  connect();
}

void WsClient::stop() {
  if (link_.stopped()) return;
  if (state_ == State::kOpen) {
    // A clean close: our close frame, the server's answer, then the server closes TCP (it must close first,
    // RFC 6455 7.1.1, which also keeps TIME_WAIT off the load generator's ports).
    link_.begin_stop();
    start_closing(ws_close::kNormal);
    return;
  }
  if (state_ == State::kClosing) {
    link_.begin_stop();  // already closing; the deadline bounds it
    return;
  }
  link_.stop();
  state_ = State::kDown;
}

// --- connecting -------------------------------------------------------------------------------------------

void WsClient::connect() {
  reader_.reset();
  state_ = State::kDown;
  link_.connect();  // its deadline runs on through the handshake
}

void WsClient::on_link_up() {
  state_ = State::kHandshake;
  // Resume from the last id seen: the server replays what was missed while we were away.
  const std::string target =
      fmt::format("{}/ws?channel={}&since={}", options_.path_prefix, options_.channel, last_id_);
  link_.send_request_head(handshake_.begin(target, options_.host_header, options_.extra_headers, random_));
}

void WsClient::on_upgraded(char* rest, std::size_t len) {
  link_.cancel_deadline();
  handshake_.end();
  reader_.emplace(WsRole::kClient, WsLimits{}, *this);
  state_ = State::kOpen;
  backoff_.reset();
  if (!link_.stopped()) events_.on_connected();
  if (state_ != State::kOpen || len == 0) return;  // on_connected() may have stopped us
  counters_.framing_bytes_down += len;
  reader_->feed(rest, len);
}

// --- input ------------------------------------------------------------------------------------------------

void WsClient::on_link_data(char* data, std::size_t len) {
  if (state_ == State::kHandshake) {
    std::size_t used = 0;
    switch (handshake_.feed(data, len, used, counters_)) {
      case WsClientHandshake::Step::kMore:
        break;
      case WsClientHandshake::Step::kRefused:
        abandon(handshake_.failure().kind, handshake_.failure().detail);
        break;
      case WsClientHandshake::Step::kSwitched:
        // Frames that came in the same read as the 101 belong to the WebSocket.
        on_upgraded(data + used, len - used);
        break;
    }
    return;
  }
  if ((state_ == State::kOpen || state_ == State::kClosing) && reader_) {
    // Counted as framing first; the text of each event moves to payload when it is parsed.
    counters_.framing_bytes_down += len;
    reader_->feed(data, len);
  }
}

void WsClient::on_ws_message(WsOpcode op, std::string_view payload) {
  if (op != WsOpcode::kText || link_.stopped()) return;
  const WsEventText text = ws_parse_event_text(payload);
  switch (text.kind) {
    case WsEventText::Kind::kEvent:
      if (text.id > last_id_) last_id_ = text.id;
      counters_.framing_bytes_down -= text.data.size();
      counters_.payload_bytes_down += text.data.size();
      ++counters_.events;
      events_.on_event(text.id, text.data);
      break;
    case WsEventText::Kind::kGap:
      events_.on_gap(text.gap_first, text.gap_last);
      break;
    case WsEventText::Kind::kOther:
      break;  // not ours to interpret (a newer server's frame kind): framing
  }
}

void WsClient::on_ws_ping(std::string_view payload) {
  if (state_ == State::kOpen) send_frame(WsOpcode::kPong, payload, false);
}

void WsClient::on_ws_close(std::uint16_t code, std::string_view reason) {
  if (state_ == State::kClosing) return;  // the answer to our close: the server closes TCP next
  // The server ends the session (shutdown, policy, error): answer with its code, let it close TCP, then come
  // back with since=<last id>.
  start_closing(code);
  link_.fail(ClientErrorKind::kReset,
             reason.empty() ? fmt::format("server closed the WebSocket with {}", code)
                            : fmt::format("server closed the WebSocket with {}: {}", code, reason));
}

void WsClient::on_ws_error(std::uint16_t close_code, std::string_view reason) {
  if (state_ == State::kOpen) start_closing(close_code);
  link_.fail(ClientErrorKind::kProtocol, reason);
}

void WsClient::on_link_down() {
  const State was = std::exchange(state_, State::kDown);
  reader_.reset();
  handshake_.end();
  if (was == State::kOpen) {
    link_.fail(ClientErrorKind::kReset, "connection closed without a close frame");
  } else if (was == State::kHandshake) {
    link_.fail(ClientErrorKind::kReset, "connection closed during the handshake");
  }
  link_.retry_later();
}

void WsClient::on_link_deadline() {
  if (state_ == State::kHandshake) {
    abandon(ClientErrorKind::kTimeout, "no handshake answer within the request timeout");
  } else if (state_ == State::kClosing) {
    // The server did not finish the close in time: close TCP ourselves.
    link_.close();
    reader_.reset();
    state_ = State::kDown;
    link_.retry_later();
  }
}

// --- output -----------------------------------------------------------------------------------------------

WriteResult WsClient::send_text(std::string_view text) {
  if (state_ != State::kOpen) return WriteResult::kDropped;
  return send_frame(WsOpcode::kText, text, true);
}

WriteResult WsClient::send_frame(WsOpcode op, std::string_view payload, bool is_data) {
  if (!link_.is_open()) return WriteResult::kDropped;
  std::uint8_t key[4];
  random_.fill_mask(key);  // a fresh key for every frame (RFC 6455 5.3)
  SharedBuffer frame = ws_encode_client_frame(op, payload, key);
  if (is_data) {
    counters_.framing_bytes_up += frame.size() - payload.size();
    counters_.payload_bytes_up += payload.size();
  } else {
    counters_.framing_bytes_up += frame.size();
  }
  return link_.write(std::move(frame));
}

void WsClient::start_closing(std::uint16_t code) {
  send_frame(WsOpcode::kClose, ws_close_payload(code, {}), false);
  state_ = State::kClosing;
  link_.expect_within(kCloseTimeoutMs);
}

// --- failure and reconnection -----------------------------------------------------------------------------

void WsClient::abandon(ClientErrorKind kind, std::string_view detail) {
  reader_.reset();
  handshake_.end();
  state_ = State::kDown;
  link_.drop(kind, detail);
}

}  // namespace rtb
