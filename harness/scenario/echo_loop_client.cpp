#include "harness/scenario/echo_loop_client.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "harness/scenario/payload_stamp.hpp"
#include "transports/http/header_tokens.hpp"
#include "transports/websocket/ws_frame_encoder.hpp"
#include "transports/websocket/ws_handshake.hpp"
#include "transports/websocket/ws_masking.hpp"

namespace rtb {

EchoLoopClient::EchoLoopClient(Loop& loop, const RoundTripTarget& target, RoundTripTally& tally)
    : RoundTripClient(tally),
      loop_(loop),
      target_(target),
      reconnect_timer_(&EchoLoopClient::on_timer, this),
      echoes_(1) {
  // Room for every message in flight plus those the socket still holds after their echo came back.
  frames_.reserve(std::size_t{target.pipeline} * 2);
}

EchoLoopClient::~EchoLoopClient() {
  stop();
}

void EchoLoopClient::open() {
  mark_connecting();
  connect();
}

void EchoLoopClient::begin() {
  sending_ = true;
  if (phase_ == Phase::kOpen) fill(monotonic_now_ns());
}

void EchoLoopClient::stop() {
  stopped_ = true;
  sending_ = false;
  loop_.timers().cancel(reconnect_timer_);
  connection_.close();
  phase_ = Phase::kIdle;
}

// --- connecting -------------------------------------------------------------------------------------------

void EchoLoopClient::connect() {
  reader_.reset();
  in_flight_ = 0;
  drop_after_read_ = false;
  handshake_error_.clear();
  const int rc =
      connection_.open(loop_, reinterpret_cast<const sockaddr*>(&target_.server),
                       target_.source ? reinterpret_cast<const sockaddr*>(&*target_.source) : nullptr, *this);
  if (rc != 0) {
    report(ClientErrorKind::kRefused, uv_strerror(rc));
    if (!stopped_) loop_.timers().schedule(reconnect_timer_, target_.reconnect_delay_ms);
    return;
  }
  phase_ = Phase::kConnecting;
}

void EchoLoopClient::on_timer(TimerEntry& entry) {
  auto& self = *static_cast<EchoLoopClient*>(entry.context);
  if (!self.stopped_) self.connect();
}

void EchoLoopClient::on_link_connected(int status) {
  if (status != 0) {
    report(ClientErrorKind::kRefused, uv_strerror(status));
    return;  // on_link_closed() follows and schedules the reconnect
  }
  ++counters_.connects;
  phase_ = Phase::kHandshake;
  progress_ns_ = monotonic_now_ns();
  send_handshake();
}

void EchoLoopClient::send_handshake() {
  key_ = ws_make_client_key(random_.next(), random_.next());
  parser_ = std::make_unique<HttpResponseParser>(*this);
  std::string request = fmt::format(
      "GET {} HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: {}\r\nSec-WebSocket-Version: 13\r\n{}\r\n",
      target_.target, target_.host_header, key_, target_.extra_headers);
  ++counters_.requests;
  counters_.header_bytes_up += request.size();
  connection_.write_copy(request);
}

void EchoLoopClient::on_response_head(const HttpResponseHead& head) {
  if (head.status != 101) {
    handshake_error_ = fmt::format("HTTP {} instead of 101 Switching Protocols", head.status);
  } else if (!header_has_token(head.header("Upgrade"), "websocket") ||
             !header_has_token(head.header("Connection"), "upgrade")) {
    handshake_error_ = "101 without Upgrade: websocket and Connection: Upgrade";
  } else if (!ws_accept_matches(key_, head.header("Sec-WebSocket-Accept"))) {
    handshake_error_ = "Sec-WebSocket-Accept does not answer our key";
  }
}

void EchoLoopClient::on_upgraded(char* rest, std::size_t len) {
  ++counters_.responses;
  parser_.reset();
  reader_.emplace(WsRole::kClient, WsLimits{}, *this);
  phase_ = Phase::kOpen;
  mark_ready();
  if (len > 0) {
    counters_.framing_bytes_down += len;
    reader_->feed(rest, len);
  }
}

// --- input ------------------------------------------------------------------------------------------------

void EchoLoopClient::on_link_data(char* data, std::size_t len) {
  read_ns_ = monotonic_now_ns();
  if (phase_ == Phase::kHandshake) {
    const std::uint64_t head_before = parser_->total_head_bytes();
    const std::size_t used = parser_->feed(data, len);
    counters_.header_bytes_down += parser_->total_head_bytes() - head_before;
    if (parser_->failed()) {
      drop(ClientErrorKind::kProtocol, parser_->error());
      return;
    }
    if (!handshake_error_.empty()) {
      drop(handshake_error_.starts_with("HTTP") ? ClientErrorKind::kHttpStatus : ClientErrorKind::kProtocol,
           handshake_error_);
      return;
    }
    if (!parser_->upgraded()) return;
    // Frames that came in the same read as the 101 belong to the WebSocket.
    on_upgraded(data + used, len - used);
  } else if (phase_ == Phase::kOpen && reader_) {
    // Counted as framing first; each message's text moves to payload when it is parsed.
    counters_.framing_bytes_down += len;
    reader_->feed(data, len);
  }
  // The reader is done with the bytes: only now may the connection (and the reader) be replaced.
  if (drop_after_read_) {
    drop(ClientErrorKind::kReset, {});
    return;
  }
  if (phase_ == Phase::kOpen) fill(read_ns_);
}

void EchoLoopClient::on_ws_message(WsOpcode op, std::string_view payload) {
  (void)op;  // text and binary alike: an echo server answers in kind
  counters_.framing_bytes_down -= payload.size();
  counters_.payload_bytes_down += payload.size();
  const auto stamp = parse_payload_stamp(payload);
  if (!stamp) {
    ++tally_.unstamped;
    return;
  }
  ++counters_.events;
  const std::uint64_t delivered = echoes_.delivered();
  const std::uint64_t duplicates = echoes_.duplicates();
  const std::uint64_t reordered = echoes_.reordered();
  echoes_.on_id(stamp->seq);
  const bool measured = tally_.measured(stamp->intended_ns);
  if (echoes_.delivered() == delivered) {
    // Not a new echo: a repeat (or one we had given up on), which frees no pipeline slot.
    if (measured) tally_.duplicated += echoes_.duplicates() - duplicates;
    return;
  }
  if (measured) tally_.reordered += echoes_.reordered() - reordered;
  if (in_flight_ > 0) --in_flight_;
  progress_ns_ = read_ns_;
  tally_.record_answer(stamp->intended_ns, read_ns_);
}

void EchoLoopClient::on_ws_ping(std::string_view payload) {
  if (!connection_.is_open()) return;
  std::uint8_t key[4];
  random_.fill_mask(key);
  std::string frame;
  ws_append_client_frame(frame, WsOpcode::kPong, payload, key);
  counters_.framing_bytes_up += frame.size();
  connection_.write_copy(frame);
}

void EchoLoopClient::on_ws_close(std::uint16_t code, std::string_view reason) {
  tally_.errors.add(ClientErrorKind::kReset,
                    reason.empty()
                        ? fmt::format("the server closed the WebSocket with {}", code)
                        : fmt::format("the server closed the WebSocket with {}: {}", code, reason));
  drop_after_read_ = true;
}

void EchoLoopClient::on_ws_error(std::uint16_t close_code, std::string_view reason) {
  tally_.errors.add(ClientErrorKind::kProtocol, fmt::format("{} (close code {})", reason, close_code));
  drop_after_read_ = true;
}

void EchoLoopClient::on_link_closed() {
  const Phase was = phase_;
  phase_ = Phase::kIdle;
  reader_.reset();
  parser_.reset();
  in_flight_ = 0;
  if (stopped_) return;
  if (was == Phase::kOpen) {
    report(ClientErrorKind::kReset, "connection closed without a close frame");
  } else if (was == Phase::kHandshake) {
    report(ClientErrorKind::kReset, "connection closed during the handshake");
  }
  loop_.timers().schedule(reconnect_timer_, target_.reconnect_delay_ms);
}

void EchoLoopClient::check_timeout(std::uint64_t now_ns) {
  const bool waiting = phase_ == Phase::kHandshake || (phase_ == Phase::kOpen && in_flight_ > 0);
  if (!waiting || now_ns - progress_ns_ < std::uint64_t{target_.request_timeout_ms} * 1'000'000) return;
  drop(ClientErrorKind::kTimeout,
       fmt::format("no {} within --request-timeout-ms {}",
                   phase_ == Phase::kHandshake ? "handshake answer" : "echo", target_.request_timeout_ms));
}

void EchoLoopClient::drop(ClientErrorKind kind, std::string_view detail) {
  if (!detail.empty()) report(kind, detail);
  connection_.close();  // tells us nothing more
  reader_.reset();
  parser_.reset();
  in_flight_ = 0;
  phase_ = Phase::kIdle;
  drop_after_read_ = false;
  if (!stopped_) loop_.timers().schedule(reconnect_timer_, target_.reconnect_delay_ms);
}

// --- output -----------------------------------------------------------------------------------------------

void EchoLoopClient::fill(std::uint64_t now_ns) {
  // Closed loop: the next message goes out as soon as there is room, never on a clock.
  if (in_flight_ == 0) progress_ns_ = now_ns;
  while (sending_ && phase_ == Phase::kOpen && in_flight_ < target_.pipeline && tally_.may_send(now_ns)) {
    send_message(now_ns);
  }
}

SharedBuffer& EchoLoopClient::free_frame() {
  for (std::size_t tried = 0; tried < frames_.size(); ++tried) {
    SharedBuffer& candidate = frames_[next_frame_];
    next_frame_ = (next_frame_ + 1) % frames_.size();
    if (candidate.use_count() == 1) return candidate;
  }
  const std::size_t payload = std::max<std::size_t>(target_.payload_bytes, kMaxPayloadStampBytes);
  frames_.push_back(SharedBuffer::allocate(ws_frame_header_size(payload, true) + payload));
  next_frame_ = 0;
  return frames_.back();
}

void EchoLoopClient::send_message(std::uint64_t now_ns) {
  char stamp[kMaxPayloadStampBytes];
  const std::size_t stamp_len = write_payload(stamp, PayloadStamp{next_seq_, now_ns}, 0);
  const std::size_t len = std::max<std::size_t>(stamp_len, target_.payload_bytes);
  std::uint8_t key[4];
  random_.fill_mask(key);  // a fresh key for every frame (RFC 6455 5.3)
  const std::size_t header = ws_frame_header_size(len, true);
  SharedBuffer& frame = free_frame();
  frame.resize(header + len);
  ws_encode_frame_header(reinterpret_cast<std::uint8_t*>(frame.data()), WsOpcode::kText, true, len, key);
  char* payload = frame.data() + header;
  std::memcpy(payload, stamp, stamp_len);
  std::memset(payload + stamp_len, 'x', len - stamp_len);
  ws_apply_mask(payload, len, key, 0);

  ++next_seq_;
  ++in_flight_;
  counters_.framing_bytes_up += header;
  counters_.payload_bytes_up += len;
  if (tally_.measured(now_ns)) ++tally_.measured_sent;
  connection_.write(frame);  // shares the buffer; it is free again once the socket has taken it
}

}  // namespace rtb
