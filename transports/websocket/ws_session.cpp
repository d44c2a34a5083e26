#include "transports/websocket/ws_session.hpp"

#include <algorithm>

#include "transports/common/encoding_slot.hpp"
#include "transports/websocket/ws_event_format.hpp"
#include "transports/websocket/ws_frame_encoder.hpp"

namespace rtb {
namespace {

// A text message on /ws becomes an event that every subscriber must be able to queue whole; one bigger than a
// send queue would make every subscriber look like a slow consumer. Half the bound leaves room for the frame
// header, the id prefix and what is already queued.
WsLimits limits_for(const WsConfig& config, WsSession::Mode mode, const StreamLimits& stream) {
  WsLimits limits{config.max_message_bytes, config.max_fragments};
  if (mode == WsSession::Mode::kPubSub)
    limits.max_message_bytes = std::min<std::uint64_t>(limits.max_message_bytes, stream.max_queued_bytes / 2);
  return limits;
}

}  // namespace

WsSession::WsSession(WsContext& context, HttpConnection& connection, Mode mode)
    : context_(&context), connection_(connection), cursor_(this), mode_(mode) {
  context.sessions.add(*this);
}

// A session closed in the middle of a frame gives back a reader that is not at rest: the pool frees it.
WsSession::~WsSession() {
  return_reader();
}

void WsSession::detach() {
  context_ = nullptr;
}

void WsSession::start(Channel* channel, bool has_since, std::uint64_t since) {
  // Armed first: a replay that finds the peer too slow replaces it with the close timeout.
  if (context_->config.ping_interval_ms > 0)
    connection_.schedule_session_timer(context_->config.ping_interval_ms);
  if (mode_ != Mode::kPubSub || channel == nullptr) return;
  channel->subscribe(*this);
  // No since: live events only, like an EventSource without Last-Event-ID.
  if (has_since) {
    cursor_.start(*channel, since, context_->config.replay_batch);
  } else {
    cursor_.start_live(*channel);
  }
  pump_replay();
}

// --- output -----------------------------------------------------------------------------------------------

WriteResult WsSession::send(SharedBuffer frame) {
  const WriteResult result = connection_.write(std::move(frame));
  if (result == WriteResult::kDropped) drop_slow_consumer();
  return result;
}

WriteResult WsSession::send_event(const Event& event) {
  // The frame is built by whichever subscriber gets the event first and shared by all the others.
  static const EncodingSlot slot = register_encoding("WebSocket text frame");
  const WriteResult result = send(event.encoded_as(slot, ws_encode_event_frame));
  if (result != WriteResult::kDropped) ++context_->stats.events_sent;
  return result;
}

void WsSession::on_hub_event(const Event& event) {
  // While a replay runs, live events wait in the window: the replay cursor reaches them in order.
  if (state_ != State::kOpen || !cursor_.take_live(event)) return;
  send_event(event);
}

void WsSession::on_replay_ready() {
  if (state_ == State::kOpen) pump_replay();
}

void WsSession::pump_replay() {
  while (state_ == State::kOpen) {
    switch (cursor_.next()) {
      case ReplayCursor::Step::kGap: {
        ++context_->counters.gaps_sent;
        const std::string text = ws_gap_text(cursor_.gap_first(), cursor_.gap_last());
        cursor_.pass();
        if (send(ws_encode_server_frame(WsOpcode::kText, text)) != WriteResult::kOk)
          return;  // backpressure: on_session_drained() continues; dropped: closed
        break;
      }
      case ReplayCursor::Step::kEvent: {
        const Event& event = cursor_.event();
        cursor_.pass();
        if (send_event(event) != WriteResult::kOk) return;
        break;
      }
      case ReplayCursor::Step::kWait:  // on_replay_ready() continues
      case ReplayCursor::Step::kLive:  // caught up: live events from here
        return;
    }
  }
}

void WsSession::on_session_drained() {
  // A peer that empties our send queue is alive, even when we are the ones not reading (/echo flow control).
  heard_from_peer_ = true;
  if (state_ != State::kOpen) return;
  if (mode_ == Mode::kPubSub) pump_replay();
  if (mode_ == Mode::kEcho) pump_echoes();
}

// --- /echo ------------------------------------------------------------------------------------------------
//
// An echo client gets back only what it sent, so instead of dropping it as a slow consumer, its input is
// paused while its send queue is above the high watermark: a client that sends faster than it reads is slowed
// down, never cut off (Autobahn 9.7/9.8 pipeline 1000 messages). A message whose echo is bigger than the
// queue bound itself (16 MiB messages against a 4 MiB bound, Autobahn 9.1.6) is sent as fragments as the
// queue drains.

void WsSession::echo(WsOpcode op, std::string_view payload) {
  const std::size_t frame = ws_frame_header_size(payload.size(), false) + payload.size();
  if (!echoes_waiting() &&
      connection_.queued_bytes() + frame <= connection_.stream_limits().max_queued_bytes) {
    // The common case: header and payload in one allocation, queued at once.
    if (send(ws_encode_server_frame(op, payload)) == WriteResult::kBackpressure) pause_input();
    return;
  }
  if (!echoes_) echoes_ = std::make_unique<std::list<PendingEcho>>();
  echoes_->push_back(PendingEcho{op, std::string(payload)});
  pause_input();
  pump_echoes();
}

void WsSession::pump_echoes() {
  const StreamLimits& limits = connection_.stream_limits();
  // Fragments small enough that a queue with no room for the next one is above the high watermark, so
  // on_session_drained() is sure to come back here.
  const std::size_t max_piece = std::max<std::size_t>(
      1, std::min(limits.high_watermark, (limits.max_queued_bytes - limits.high_watermark) / 2));
  while (echoes_waiting() && state_ == State::kOpen) {
    PendingEcho& m = echoes_->front();
    const std::size_t piece = std::min(max_piece, m.payload.size() - m.sent);
    const std::size_t frame = ws_frame_header_size(piece, false) + piece;
    if (connection_.queued_bytes() + frame > limits.max_queued_bytes) return;
    const bool first = m.sent == 0;
    const bool last = m.sent + piece == m.payload.size();
    const WriteResult result = send(ws_encode_server_frame(
        first ? m.op : WsOpcode::kContinuation, std::string_view(m.payload).substr(m.sent, piece), last));
    m.sent += piece;
    if (last) echoes_->pop_front();
    if (result != WriteResult::kOk) return;  // backpressure: on_session_drained() continues
  }
  if (!echoes_waiting() && connection_.queued_bytes() < limits.high_watermark) resume_input();
}

void WsSession::pause_input() {
  if (input_paused_) return;
  input_paused_ = true;
  connection_.pause_input();
}

void WsSession::resume_input() {
  if (!input_paused_ || connection_.closing()) return;
  input_paused_ = false;
  connection_.resume_input();
}

// --- input ------------------------------------------------------------------------------------------------

void WsSession::on_session_data(char* data, std::size_t len) {
  heard_from_peer_ = true;
  if (state_ == State::kClosed || context_ == nullptr) return;
  if (!reader_) reader_ = context_->readers.take(WsRole::kServer, reader_limits(), *this);
  // The callbacks may close the connection, never destroy this session: closing a stream is asynchronous
  // (the connection frees its session from the close callback, in a later loop turn), so the reader and
  // `this` are both still here after feed().
  reader_->feed(data, len);
  // Kept only while a frame or a message continues in the next read. Once closed nothing more is read, so a
  // reader that stopped mid-frame, failed or saw the peer's close goes back too (and the pool frees it).
  if (state_ == State::kClosed || reader_->at_rest()) return_reader();
}

WsLimits WsSession::reader_limits() const {
  return limits_for(context_->config, mode_, connection_.stream_limits());
}

void WsSession::return_reader() {
  if (!reader_) return;
  if (context_ != nullptr) {
    context_->readers.give(std::move(reader_));
  } else {
    reader_.reset();  // detached: the pool may be gone with the transport
  }
}

void WsSession::on_ws_message(WsOpcode op, std::string_view payload) {
  if (state_ != State::kOpen) return;  // after our close frame, data is read and dropped
  ++context_->counters.messages_in;
  if (mode_ == Mode::kEcho) {
    echo(op, payload);
    return;
  }
  if (op != WsOpcode::kText) {
    begin_close(ws_close::kUnsupportedData, "/ws accepts text messages only", AfterClose::kWaitForPeer);
    return;
  }
  // An empty text has nothing to publish (POST /publish refuses it too).
  if (payload.empty()) return;
  ++context_->counters.published;
  // Through the hub, so it reaches every subscriber on every transport, this session included.
  context_->hub.publish(cursor_.channel()->name(), payload);
}

void WsSession::on_ws_ping(std::string_view payload) {
  if (state_ != State::kOpen) return;
  // On /echo a pong is flow-controlled like an echo: a peer that does not read them is paused, never dropped.
  if (send(ws_encode_server_frame(WsOpcode::kPong, payload)) == WriteResult::kBackpressure &&
      mode_ == Mode::kEcho)
    pause_input();
}

void WsSession::on_ws_pong(std::string_view payload) {
  // Unsolicited pongs are allowed (RFC 6455 5.5.3); any byte already counted as an answer to our ping.
  (void)payload;
}

void WsSession::on_ws_close(std::uint16_t code, std::string_view reason) {
  (void)reason;
  if (state_ == State::kClosing) {
    // The peer answered our close: the handshake is complete and the server closes TCP first.
    state_ = State::kClosed;
    connection_.close_after_writes();
    return;
  }
  if (state_ != State::kOpen) return;
  // Echo the peer's code (RFC 6455 5.5.1); an empty close is answered with 1000.
  begin_close(code == 0 ? ws_close::kNormal : code, {}, AfterClose::kCloseTcp);
}

void WsSession::on_ws_error(std::uint16_t close_code, std::string_view reason) {
  ++context_->stats.protocol_errors;
  if (state_ == State::kOpen) {
    // Failing the connection (RFC 6455 7.1.7): the stream can no longer be parsed, so nothing the peer sends
    // after this is worth waiting for.
    begin_close(close_code, reason, AfterClose::kCloseTcp);
    return;
  }
  state_ = State::kClosed;
  connection_.close_after_writes();
}

// --- closing ----------------------------------------------------------------------------------------------

void WsSession::close(std::uint16_t code, std::string_view reason) {
  begin_close(code, reason, AfterClose::kWaitForPeer);
}

void WsSession::begin_close(std::uint16_t code, std::string_view reason, AfterClose after) {
  if (state_ != State::kOpen) return;
  state_ = State::kClosing;
  unsubscribe();
  echoes_.reset();  // no data frame may follow a close frame
  // The peer's close frame has to be read (kWaitForPeer) and the close timeout bounds everything else.
  if (after == AfterClose::kWaitForPeer) resume_input();
  if (connection_.write(ws_encode_close_frame(code, reason)) == WriteResult::kDropped) {
    // No room even for the close frame (or the socket is already going): nothing can be said any more.
    close_tcp_now();
    return;
  }
  if (after == AfterClose::kCloseTcp) {
    state_ = State::kClosed;
    connection_.close_after_writes();
  }
  // Bounds both the wait for the peer's close frame and a send queue that never drains.
  connection_.schedule_session_timer(context_->config.close_timeout_ms);
}

void WsSession::drop_slow_consumer() {
  if (state_ != State::kOpen || connection_.closing()) return;
  ++context_->stats.dropped_slow;
  // The queue is full, so this close frame usually cannot be queued either; begin_close() then closes TCP at
  // once. If it fits, it goes out behind the queue and TCP closes after it: a peer that does not read would
  // never answer it, so there is nothing to wait for (the close timeout bounds the drain).
  begin_close(ws_close::kPolicyViolation, "send queue full", AfterClose::kCloseTcp);
}

void WsSession::close_tcp_now() {
  state_ = State::kClosed;
  unsubscribe();
  connection_.cancel_session_timer();
  connection_.close();
}

void WsSession::on_session_timer() {
  if (context_ == nullptr) return;
  if (state_ == State::kOpen) {
    on_keepalive();
    return;
  }
  ++context_->counters.close_timeouts;
  close_tcp_now();
}

void WsSession::on_keepalive() {
  if (ping_outstanding_ && !heard_from_peer_) {
    // Nothing at all arrived during a whole interval after our ping: the peer or the path is gone.
    ++context_->stats.dropped_silent;
    close_tcp_now();
    return;
  }
  ping_outstanding_ = true;
  heard_from_peer_ = false;
  ++context_->counters.pings_sent;
  send(context_->ping_frame);
  if (state_ == State::kOpen) connection_.schedule_session_timer(context_->config.ping_interval_ms);
}

}  // namespace rtb
