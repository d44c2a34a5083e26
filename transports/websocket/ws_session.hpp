// WsSession: the server end of one WebSocket connection after the upgrade, for /echo (echo every message) and
// /ws (pub/sub: replay from `since`, then live events; a text message from the client is published).
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <string_view>

#include "transports/common/replay_cursor.hpp"
#include "transports/common/session_registry.hpp"
#include "transports/http/http_connection.hpp"
#include "transports/pubsub/hub.hpp"
#include "transports/websocket/websocket_transport.hpp"
#include "transports/websocket/ws_reader.hpp"

namespace rtb {

class WsSession final : public HttpSession,
                        public HubSubscriber,
                        public WsReaderEvents,
                        public ReplayListener,
                        public SessionLink {
 public:
  enum class Mode : std::uint8_t { kEcho, kPubSub };

  WsSession(WsContext& context, HttpConnection& connection, Mode mode);
  ~WsSession() override;
  WsSession(const WsSession&) = delete;
  WsSession& operator=(const WsSession&) = delete;

  // Called right after HttpConnection::upgrade() sent the 101: arms the keepalive and, for /ws, subscribes to
  // `channel` and replays every retained event with id > since (no since: live events only).
  void start(Channel* channel, bool has_since, std::uint64_t since);
  // A close that we start (server shutdown: 1001). The peer's close frame or the close timeout ends the TCP
  // connection.
  void close(std::uint16_t code, std::string_view reason);
  // The transport is going away before the connection (process teardown): forget it.
  void detach();

  // HttpSession
  void on_session_data(char* data, std::size_t len) override;
  void on_session_drained() override;
  void on_session_timer() override;  // keepalive while open, close timeout afterwards
  // HubSubscriber
  void on_hub_event(const Event& event) override;
  // ReplayListener
  void on_replay_ready() override;
  // WsReaderEvents
  void on_ws_message(WsOpcode op, std::string_view payload) override;
  void on_ws_ping(std::string_view payload) override;
  void on_ws_pong(std::string_view payload) override;
  void on_ws_close(std::uint16_t code, std::string_view reason) override;
  void on_ws_error(std::uint16_t close_code, std::string_view reason) override;

 private:
  enum class State : std::uint8_t {
    kOpen,     // frames flow both ways
    kClosing,  // our close frame is out; waiting for the peer's (its data is read and ignored)
    kClosed,   // nothing more is read; the TCP connection closes when its queue is sent (or at the timeout)
  };
  // After the close frame: wait for the peer's close frame, or close TCP once the frame is sent.
  enum class AfterClose : std::uint8_t { kWaitForPeer, kCloseTcp };

  WriteResult send(SharedBuffer frame);
  WriteResult send_event(const Event& event);
  void pump_replay();
  void echo(WsOpcode op, std::string_view payload);
  void pump_echoes();
  bool echoes_waiting() const { return echoes_ && !echoes_->empty(); }
  void pause_input();
  void resume_input();
  void begin_close(std::uint16_t code, std::string_view reason, AfterClose after);
  void drop_slow_consumer();
  void close_tcp_now();
  void on_keepalive();
  WsLimits reader_limits() const;
  void return_reader();

  // /echo only: a message whose echo does not fit the send queue now, streamed out as fragments while the
  // queue drains. Reading is paused while any wait, so this holds at most one read's worth of messages.
  struct PendingEcho {
    WsOpcode op;
    std::string payload;
    std::size_t sent = 0;
  };

  WsContext* context_;
  HttpConnection& connection_;
  // Borrowed from the context's pool while a read is fed, and kept only while a frame or a message spans
  // reads: nullptr between frames, so an idle WebSocket does not carry the reader's 120 B.
  std::unique_ptr<WsReader> reader_;
  // Created on the first echo that has to wait, so a /ws subscriber does not carry it. A list, not a deque:
  // an empty std::deque allocates ~500 B up front.
  std::unique_ptr<std::list<PendingEcho>> echoes_;
  ReplayCursor cursor_;  // /ws: its channel, and what the client is owed next, from history or live
  Mode mode_;
  State state_ = State::kOpen;
  bool ping_outstanding_ = false;
  bool heard_from_peer_ = false;  // any byte, or a drained send queue, since the last keepalive ping
  bool input_paused_ = false;     // /echo flow control: not reading until the send queue drains
};

}  // namespace rtb
