// WsClient: a /ws subscriber for the load generator (RFC 6455 client end): handshake, events, pongs, resume
// by id after a drop, and send_text() so a publisher can publish over a WebSocket.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "transports/common/client_session.hpp"
#include "transports/http/http_response_parser.hpp"
#include "transports/net/client_connection.hpp"
#include "transports/net/loop.hpp"
#include "transports/net/timer_wheel.hpp"
#include "transports/websocket/ws_random.hpp"
#include "transports/websocket/ws_reader.hpp"

namespace rtb {

// Wire counters: the handshake request and the 101 head are header bytes; frame headers, masks, control
// frames, gap frames and the `<id> ` prefix of each event are framing; event text and sent text are payload.
class WsClient final : public ClientSession,
                       public ClientConnectionOwner,
                       public HttpResponseEvents,
                       public WsReaderEvents {
 public:
  // How long the server gets to answer our close frame (stop()) or to close TCP after its own.
  static constexpr std::uint32_t kCloseTimeoutMs = 2000;
  // Reconnect delays double from the first to the last, each with random jitter in its upper half, so
  // thousands of clients dropped at once do not come back in lockstep.
  static constexpr std::uint32_t kFirstReconnectDelayMs = 50;
  static constexpr std::uint32_t kMaxReconnectDelayMs = 5000;

  WsClient(Loop& loop, ClientOptions options, ClientEvents& events);
  ~WsClient() override;
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  void start() override;
  // Sends close 1000 when open and lets the server close TCP (closed() turns true then, or after
  // kCloseTimeoutMs); no callback reaches ClientEvents after stop() returns.
  void stop() override;
  bool closed() const override { return stopped_ && !connection_.is_open(); }
  const ClientWireCounters& counters() const override { return counters_; }
  std::uint64_t last_id() const override { return last_id_; }

  // Publishes `text` to the client's channel (one masked text frame). kDropped when the WebSocket is not
  // open.
  WriteResult send_text(std::string_view text);
  // The handshake is done and no close has started.
  bool is_open() const { return state_ == State::kOpen; }

 private:
  enum class State : std::uint8_t {
    kIdle,        // not started, stopped, or between connections
    kConnecting,  // TCP connect in flight
    kHandshake,   // upgrade request sent, waiting for the 101
    kOpen,
    kClosing,  // a close frame went out (ours or our answer): waiting for TCP to end
    kWaiting,  // reconnect timer running
  };

  void connect();
  void send_handshake();
  void on_upgraded(char* rest, std::size_t len);
  WriteResult send_frame(WsOpcode op, std::string_view payload, bool is_data);
  void send_close(std::uint16_t code);
  // Drops the current connection (our decision) and reconnects unless stopped.
  void abandon(ClientErrorKind kind, std::string_view detail);
  void schedule_reconnect();
  void report(ClientErrorKind kind, std::string_view detail);
  static void on_timer(TimerEntry& entry);

  // ClientConnectionOwner
  void on_link_connected(int status) override;
  void on_link_data(char* data, std::size_t len) override;
  void on_link_closed() override;
  // HttpResponseEvents (the handshake answer)
  void on_response_head(const HttpResponseHead& head) override;
  void on_response_body(std::string_view bytes) override { (void)bytes; }
  void on_response_complete(const HttpResponseHead& head) override { (void)head; }
  // WsReaderEvents
  void on_ws_message(WsOpcode op, std::string_view payload) override;
  void on_ws_ping(std::string_view payload) override;
  void on_ws_pong(std::string_view payload) override { (void)payload; }
  void on_ws_close(std::uint16_t code, std::string_view reason) override;
  void on_ws_error(std::uint16_t close_code, std::string_view reason) override;

  Loop& loop_;
  ClientOptions options_;
  ClientEvents& events_;
  ClientWireCounters counters_;
  ClientConnection connection_;
  std::unique_ptr<HttpResponseParser> parser_;  // one per handshake
  std::optional<WsReader> reader_;              // one per connection
  TimerEntry timer_;  // handshake timeout, close timeout or reconnect delay, depending on state_
  WsRandom random_;
  std::string key_;              // Sec-WebSocket-Key of the current handshake
  std::string handshake_error_;  // set by on_response_head when the answer is not a valid 101
  ClientErrorKind handshake_error_kind_ = ClientErrorKind::kProtocol;
  std::uint64_t last_id_ = 0;
  std::uint32_t reconnects_in_a_row_ = 0;
  State state_ = State::kIdle;
  bool stopped_ = true;
};

}  // namespace rtb
