#include "harness/scenario/echo_loop_client.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "harness/scenario/payload_stamp.hpp"
#include "transports/websocket/ws_frame_encoder.hpp"
#include "transports/websocket/ws_masking.hpp"

namespace rtb {

EchoLoopClient::EchoLoopClient(Loop& loop, const RoundTripTarget& target, RoundTripTally& tally)
    : RoundTripClient(loop, target, tally), echoes_(1) {
  // Room for every message in flight plus those the socket still holds after their echo came back.
  frames_.reserve(std::size_t{target.pipeline} * 2);
}

void EchoLoopClient::begin() {
  sending_ = true;
  if (phase_ == Phase::kOpen) fill(monotonic_now_ns());
}

void EchoLoopClient::stop() {
  sending_ = false;
  link_.stop();
  phase_ = Phase::kDown;
}

// --- connecting -------------------------------------------------------------------------------------------

void EchoLoopClient::connect() {
  forget_connection();
  link_.connect();
}

void EchoLoopClient::on_link_up() {
  link_.cancel_deadline();  // check_timeout() times the handshake
  phase_ = Phase::kHandshake;
  progress_ns_ = monotonic_now_ns();
  link_.send_request_head(
      handshake_.begin(target_.target, target_.host_header, target_.extra_headers, random_));
}

void EchoLoopClient::on_upgraded(char* rest, std::size_t len) {
  handshake_.end();
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
    std::size_t used = 0;
    switch (handshake_.feed(data, len, used, counters_)) {
      case WsClientHandshake::Step::kMore:
        return;
      case WsClientHandshake::Step::kRefused:
        drop(handshake_.failure().kind, handshake_.failure().detail);
        return;
      case WsClientHandshake::Step::kSwitched:
        // Frames that came in the same read as the 101 belong to the WebSocket.
        on_upgraded(data + used, len - used);
        break;
    }
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
  if (!link_.is_open()) return;
  std::uint8_t key[4];
  random_.fill_mask(key);
  SharedBuffer pong = ws_encode_client_frame(WsOpcode::kPong, payload, key);
  counters_.framing_bytes_up += pong.size();
  link_.write(std::move(pong));
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

void EchoLoopClient::on_link_down() {
  const Phase was = phase_;
  forget_connection();
  if (was == Phase::kOpen) {
    link_.fail(ClientErrorKind::kReset, "connection closed without a close frame");
  } else if (was == Phase::kHandshake) {
    link_.fail(ClientErrorKind::kReset, "connection closed during the handshake");
  }
  link_.retry_later();
}

void EchoLoopClient::check_timeout(std::uint64_t now_ns) {
  const bool waiting = phase_ == Phase::kHandshake || (phase_ == Phase::kOpen && in_flight_ > 0);
  if (!waiting || now_ns - progress_ns_ < std::uint64_t{target_.request_timeout_ms} * 1'000'000) return;
  drop(ClientErrorKind::kTimeout,
       fmt::format("no {} within --request-timeout-ms {}",
                   phase_ == Phase::kHandshake ? "handshake answer" : "echo", target_.request_timeout_ms));
}

void EchoLoopClient::forget_connection() {
  reader_.reset();
  handshake_.end();
  in_flight_ = 0;
  phase_ = Phase::kDown;
  drop_after_read_ = false;
}

void EchoLoopClient::drop(ClientErrorKind kind, std::string_view detail) {
  forget_connection();
  if (detail.empty()) {
    link_.close();  // the reason was reported already (a close or an error from the server)
    link_.retry_later();
  } else {
    link_.drop(kind, detail);
  }
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
  link_.write(frame);  // shares the buffer; it is free again once the socket has taken it
}

}  // namespace rtb
