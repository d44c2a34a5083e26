#include "transports/websocket/ws_client.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "transports/http/header_tokens.hpp"
#include "transports/websocket/ws_event_format.hpp"
#include "transports/websocket/ws_frame_encoder.hpp"
#include "transports/websocket/ws_handshake.hpp"
#include "transports/websocket/ws_masking.hpp"

namespace rtb {

WsClient::WsClient(Loop& loop, ClientOptions options, ClientEvents& events)
    : loop_(loop),
      options_(std::move(options)),
      events_(events),
      timer_(&WsClient::on_timer, this),
      last_id_(options_.since) {}

WsClient::~WsClient() {
  stopped_ = true;
  loop_.timers().cancel(timer_);
  connection_.close();
}

void WsClient::start() {
  if (!stopped_) return;
  stopped_ = false;
  reconnects_in_a_row_ = 0;
  connect();
}

void WsClient::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (state_ == State::kOpen) {
    // A clean close: our close frame, the server's answer, then the server closes TCP (it must close first,
    // RFC 6455 7.1.1, which also keeps TIME_WAIT off the load generator's ports).
    send_close(ws_close::kNormal);
    state_ = State::kClosing;
    loop_.timers().schedule(timer_, kCloseTimeoutMs);
    return;
  }
  if (state_ == State::kClosing) return;  // already closing; the timer bounds it
  loop_.timers().cancel(timer_);
  connection_.close();
  state_ = State::kIdle;
}

// --- connecting -------------------------------------------------------------------------------------------

void WsClient::connect() {
  reader_.reset();
  parser_ = std::make_unique<HttpResponseParser>(*this);
  handshake_error_.clear();
  const int rc = connection_.open(
      loop_, reinterpret_cast<const sockaddr*>(&options_.server),
      options_.source ? reinterpret_cast<const sockaddr*>(&*options_.source) : nullptr, *this);
  if (rc != 0) {
    report(ClientErrorKind::kRefused, uv_strerror(rc));
    schedule_reconnect();
    return;
  }
  state_ = State::kConnecting;
  loop_.timers().schedule(timer_, options_.request_timeout_ms);
}

void WsClient::on_link_connected(int status) {
  if (status != 0) {
    report(ClientErrorKind::kRefused, uv_strerror(status));
    return;  // on_link_closed() follows and schedules the reconnect
  }
  ++counters_.connects;
  state_ = State::kHandshake;
  send_handshake();
}

void WsClient::send_handshake() {
  key_ = ws_make_client_key(random_.next(), random_.next());
  // Resume from the last id seen: the server replays what was missed while we were away.
  std::string request = fmt::format(
      "GET {}/ws?channel={}&since={} HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: {}\r\nSec-WebSocket-Version: 13\r\n",
      options_.path_prefix, options_.channel, last_id_, options_.host_header, key_);
  request += options_.extra_headers;
  request += "\r\n";
  ++counters_.requests;
  counters_.header_bytes_up += request.size();
  connection_.write_copy(request);
}

void WsClient::on_response_head(const HttpResponseHead& head) {
  if (head.status != 101) {
    handshake_error_kind_ = ClientErrorKind::kHttpStatus;
    handshake_error_ = fmt::format("HTTP {} instead of 101 Switching Protocols", head.status);
  } else if (!header_has_token(head.header("Upgrade"), "websocket") ||
             !header_has_token(head.header("Connection"), "upgrade")) {
    handshake_error_kind_ = ClientErrorKind::kProtocol;
    handshake_error_ = "101 without Upgrade: websocket and Connection: Upgrade";
  } else if (!ws_accept_matches(key_, head.header("Sec-WebSocket-Accept"))) {
    handshake_error_kind_ = ClientErrorKind::kProtocol;
    handshake_error_ = "Sec-WebSocket-Accept does not answer our key";
  }
}

void WsClient::on_upgraded(char* rest, std::size_t len) {
  loop_.timers().cancel(timer_);
  ++counters_.responses;
  parser_.reset();
  reader_.emplace(WsRole::kClient, WsLimits{}, *this);
  state_ = State::kOpen;
  reconnects_in_a_row_ = 0;
  if (!stopped_) events_.on_connected();
  if (state_ != State::kOpen || len == 0) return;  // on_connected() may have stopped us
  counters_.framing_bytes_down += len;
  reader_->feed(rest, len);
}

// --- input ------------------------------------------------------------------------------------------------

void WsClient::on_link_data(char* data, std::size_t len) {
  if (state_ == State::kHandshake) {
    const std::uint64_t head_before = parser_->total_head_bytes();
    const std::size_t used = parser_->feed(data, len);
    counters_.header_bytes_down += parser_->total_head_bytes() - head_before;
    if (parser_->failed()) {
      abandon(ClientErrorKind::kProtocol, parser_->error());
    } else if (!handshake_error_.empty()) {
      abandon(handshake_error_kind_, handshake_error_);
    } else if (parser_->upgraded()) {
      // Frames that came in the same read as the 101 belong to the WebSocket.
      on_upgraded(data + used, len - used);
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
  if (op != WsOpcode::kText || stopped_) return;
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
  send_close(code);
  state_ = State::kClosing;
  loop_.timers().schedule(timer_, kCloseTimeoutMs);
  report(ClientErrorKind::kReset, reason.empty()
                                      ? fmt::format("server closed the WebSocket with {}", code)
                                      : fmt::format("server closed the WebSocket with {}: {}", code, reason));
}

void WsClient::on_ws_error(std::uint16_t close_code, std::string_view reason) {
  if (state_ == State::kOpen) {
    send_close(close_code);
    state_ = State::kClosing;
    loop_.timers().schedule(timer_, kCloseTimeoutMs);
  }
  report(ClientErrorKind::kProtocol, reason);
}

void WsClient::on_link_closed() {
  const State was = state_;
  loop_.timers().cancel(timer_);
  state_ = State::kIdle;
  reader_.reset();
  if (stopped_) return;
  if (was == State::kOpen) {
    report(ClientErrorKind::kReset, "connection closed without a close frame");
  } else if (was == State::kHandshake) {
    report(ClientErrorKind::kReset, "connection closed during the handshake");
  }
  schedule_reconnect();
}

// --- output -----------------------------------------------------------------------------------------------

WriteResult WsClient::send_text(std::string_view text) {
  if (state_ != State::kOpen) return WriteResult::kDropped;
  return send_frame(WsOpcode::kText, text, true);
}

WriteResult WsClient::send_frame(WsOpcode op, std::string_view payload, bool is_data) {
  if (!connection_.is_open()) return WriteResult::kDropped;
  std::uint8_t key[4];
  random_.fill_mask(key);  // a fresh key for every frame (RFC 6455 5.3)
  const std::size_t header = ws_frame_header_size(payload.size(), true);
  // Header, key and masked payload in one allocation, masked in place.
  SharedBuffer frame = SharedBuffer::allocate(header + payload.size());
  ws_encode_frame_header(reinterpret_cast<std::uint8_t*>(frame.data()), op, true, payload.size(), key);
  if (!payload.empty()) {
    std::memcpy(frame.data() + header, payload.data(), payload.size());
    ws_apply_mask(frame.data() + header, payload.size(), key, 0);
  }
  if (is_data) {
    counters_.framing_bytes_up += header;
    counters_.payload_bytes_up += payload.size();
  } else {
    counters_.framing_bytes_up += frame.size();
  }
  return connection_.write(std::move(frame));
}

void WsClient::send_close(std::uint16_t code) {
  send_frame(WsOpcode::kClose, ws_close_payload(code, {}), false);
}

// --- failure and reconnection -----------------------------------------------------------------------------

void WsClient::abandon(ClientErrorKind kind, std::string_view detail) {
  report(kind, detail);
  connection_.close();  // tells us nothing more (no on_link_closed)
  reader_.reset();
  state_ = State::kIdle;
  schedule_reconnect();
}

void WsClient::schedule_reconnect() {
  loop_.timers().cancel(timer_);
  if (stopped_) {
    state_ = State::kIdle;
    return;
  }
  const std::uint32_t shift = std::min<std::uint32_t>(reconnects_in_a_row_, 16);
  const std::uint64_t ceiling =
      std::min<std::uint64_t>(kMaxReconnectDelayMs, std::uint64_t{kFirstReconnectDelayMs} << shift);
  ++reconnects_in_a_row_;
  const std::uint64_t delay = ceiling / 2 + random_.next() % (ceiling / 2 + 1);
  state_ = State::kWaiting;
  loop_.timers().schedule(timer_, delay);
}

void WsClient::report(ClientErrorKind kind, std::string_view detail) {
  if (!stopped_) events_.on_error(kind, detail);
}

void WsClient::on_timer(TimerEntry& entry) {
  auto& self = *static_cast<WsClient*>(entry.context);
  switch (self.state_) {
    case State::kWaiting:
      self.connect();
      break;
    case State::kConnecting:
    case State::kHandshake:
      self.abandon(ClientErrorKind::kTimeout, "no handshake answer within the request timeout");
      break;
    case State::kClosing:
      // The server did not finish the close in time: close TCP ourselves.
      self.connection_.close();
      self.reader_.reset();
      self.state_ = State::kIdle;
      self.schedule_reconnect();
      break;
    case State::kIdle:
    case State::kOpen:
      break;
  }
}

}  // namespace rtb
