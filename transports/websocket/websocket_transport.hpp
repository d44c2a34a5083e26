// WebSocketTransport: `GET /ws?channel=C&since=N` (pub/sub) and `GET /echo` over RFC 6455, with its config.
#pragma once

#include <cstdint>
#include <string_view>

#include "transports/common/session_registry.hpp"
#include "transports/common/transport.hpp"
#include "transports/net/shared_buffer.hpp"
#include "transports/pubsub/hub.hpp"
#include "transports/websocket/ws_reader_pool.hpp"

namespace rtb {

class HttpConnection;
class WsSession;

struct WsConfig {
  std::uint64_t max_message_bytes = 16u << 20;  // a bigger message (decided from its frame headers) -> 1009
  std::uint32_t max_fragments = 1024;           // more fragments in one message -> 1009
  // Server ping every interval (load balancers drop idle connections); a peer that during the interval after
  // a ping neither sent a byte nor drained its send queue is dropped. 0 disables keepalive.
  std::uint32_t ping_interval_ms = 30'000;
  // After we sent a close frame: how long the peer has to answer with its own before the TCP connection is
  // closed anyway.
  std::uint32_t close_timeout_ms = 2'000;
  // Events a `since` replay takes from the broker per answer, when it replays history beyond the window; the
  // replay pauses whenever the send queue reports backpressure and continues when it drains.
  std::uint32_t replay_batch = 64;
};

// Counters beyond TransportStats, for tests and diagnostics.
struct WsCounters {
  std::uint64_t messages_in = 0;     // data messages received
  std::uint64_t published = 0;       // text messages on /ws published to the hub
  std::uint64_t pings_sent = 0;      // keepalive pings
  std::uint64_t close_timeouts = 0;  // close handshakes the peer did not finish in time
  std::uint64_t gaps_sent = 0;       // `gap a-b` frames
};

// What every session of one WebSocketTransport shares; owned by the transport.
struct WsContext {
  // Out of line, where WsSession is complete (the registry's destructor needs it).
  WsContext(Hub& hub_ref, WsConfig cfg);
  ~WsContext();
  Hub& hub;
  WsConfig config;
  TransportStats stats;
  WsCounters counters;
  SharedBuffer ping_frame;  // the keepalive ping, encoded once and queued on every connection
  // Frame readers, lent to sessions while a read is fed or a frame spans reads. Declared before `sessions`,
  // so it is destroyed after the registry has detached every session that outlives the transport (a detached
  // session frees its reader instead of returning it).
  WsReaderPool readers;
  SessionRegistry<WsSession> sessions{&stats};
};

class WebSocketTransport final : public Transport {
 public:
  WebSocketTransport(Hub& hub, WsConfig config);
  ~WebSocketTransport() override;
  WebSocketTransport(const WebSocketTransport&) = delete;
  WebSocketTransport& operator=(const WebSocketTransport&) = delete;

  std::string_view name() const override { return "ws"; }
  void add_routes(Router& router) override;
  const TransportStats& stats() const override { return context_.stats; }
  // Close 1001 to every open WebSocket; later upgrade requests are refused with 503.
  void shutdown() override;
  // Starts the close handshake with `code` on every open WebSocket (the server keeps serving): what a restart
  // looks like to clients, which then resume with since.
  void close_all(std::uint16_t code, std::string_view reason);

  const WsCounters& counters() const { return context_.counters; }
  const WsConfig& config() const { return context_.config; }
  const WsReaderPool& readers() const { return context_.readers; }

 private:
  enum class Route : std::uint8_t { kEcho, kPubSub };
  void handle(HttpConnection& connection, const HttpRequest& request, Route route);

  WsContext context_;
  bool shutting_down_ = false;  // upgrades that still arrive on open keep-alive connections get 503
};

}  // namespace rtb
