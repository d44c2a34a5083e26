// WsClient: a /ws subscriber for the load generator (RFC 6455 client end): handshake, events, pongs, resume
// by id after a drop, and send_text() so a publisher can publish over a WebSocket.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "transports/common/client_link.hpp"
#include "transports/common/client_session.hpp"
#include "transports/common/reconnect_backoff.hpp"
#include "transports/net/loop.hpp"
#include "transports/websocket/ws_client_handshake.hpp"
#include "transports/websocket/ws_random.hpp"
#include "transports/websocket/ws_reader.hpp"

namespace rtb {

// Wire counters: the handshake request and the 101 head are header bytes; frame headers, masks, control
// frames, gap frames and the `<id> ` prefix of each event are framing; event text and sent text are payload.
class WsClient final : public ClientSession, private ClientLinkOwner, public WsReaderEvents {
 public:
  // How long the server gets to answer our close frame (stop()) or to close TCP after its own.
  static constexpr std::uint32_t kCloseTimeoutMs = 2000;
  // Reconnect delays double from the first to the last (ReconnectBackoff), so thousands of clients dropped at
  // once do not come back in lockstep.
  static constexpr std::uint32_t kFirstReconnectDelayMs = 50;
  static constexpr std::uint32_t kMaxReconnectDelayMs = 5000;

  WsClient(Loop& loop, ClientOptions options, ClientEvents& events);

  void start() override;
  // Sends close 1000 when open and lets the server close TCP (closed() turns true then, or after
  // kCloseTimeoutMs); no callback reaches ClientEvents after stop() returns.
  void stop() override;
  bool closed() const override { return link_.closed(); }
  const ClientWireCounters& counters() const override { return counters_; }
  std::uint64_t last_id() const override { return last_id_; }

  // Publishes `text` to the client's channel (one masked text frame). kDropped when the WebSocket is not
  // open.
  WriteResult send_text(std::string_view text);
  // The handshake is done and no close has started.
  bool is_open() const { return state_ == State::kOpen; }

 private:
  enum class State : std::uint8_t {
    kDown,       // no WebSocket: not started, stopped, connecting or waiting to reconnect (the link knows)
    kHandshake,  // upgrade request sent, waiting for the 101
    kOpen,
    kClosing,  // a close frame went out (ours or our answer): waiting for TCP to end
  };

  void connect();
  void on_upgraded(char* rest, std::size_t len);
  WriteResult send_frame(WsOpcode op, std::string_view payload, bool is_data);
  // A close frame with `code`, then kClosing until the server closes TCP or the close timeout passes.
  void start_closing(std::uint16_t code);
  // Drops the current connection (our decision) and reconnects unless stopped.
  void abandon(ClientErrorKind kind, std::string_view detail);

  // ClientLinkOwner
  void on_link_up() override;
  void on_link_data(char* data, std::size_t len) override;
  void on_link_down() override;
  void on_link_deadline() override;
  void on_link_retry() override { connect(); }
  std::uint64_t link_retry_delay_ms() override { return backoff_.next_ms(random_.next()); }
  void on_link_failure(ClientErrorKind kind, std::string_view detail) override {
    events_.on_error(kind, detail);
  }
  // WsReaderEvents
  void on_ws_message(WsOpcode op, std::string_view payload) override;
  void on_ws_ping(std::string_view payload) override;
  void on_ws_pong(std::string_view payload) override { (void)payload; }
  void on_ws_close(std::uint16_t code, std::string_view reason) override;
  void on_ws_error(std::uint16_t close_code, std::string_view reason) override;

  ClientOptions options_;
  ClientEvents& events_;
  ClientWireCounters counters_;
  ClientLink link_;  // its deadline: connect and handshake, then the close
  WsClientHandshake handshake_;
  std::optional<WsReader> reader_;  // one per connection
  WsRandom random_;
  ReconnectBackoff backoff_{kFirstReconnectDelayMs, kMaxReconnectDelayMs};
  std::uint64_t last_id_ = 0;
  State state_ = State::kDown;
};

}  // namespace rtb
