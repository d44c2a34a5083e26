// SseTransport: `GET /sse?channel=C` (resume: since=N or Last-Event-ID) as a text/event-stream: history
// replay that respects backpressure, then live events encoded once and shared by every stream.
#pragma once

#include <cstdint>

#include "transports/common/session_registry.hpp"
#include "transports/common/transport.hpp"
#include "transports/net/shared_buffer.hpp"
#include "transports/pubsub/hub.hpp"

namespace rtb {

struct SseConfig {
  std::uint32_t retry_ms = 3000;       // the `retry:` field: how long a client waits before reconnecting
  std::uint32_t heartbeat_ms = 15000;  // a comment line after this much silence (WHATWG: about 15 s); 0: none
};

class SseStream;

class SseTransport final : public Transport {
 public:
  SseTransport(Hub& hub, SseConfig config);
  ~SseTransport() override;
  SseTransport(const SseTransport&) = delete;
  SseTransport& operator=(const SseTransport&) = delete;

  std::string_view name() const override { return "sse"; }
  void add_routes(Router& router) override;
  const TransportStats& stats() const override { return stats_; }
  // Ends every stream once what is queued has been sent; clients reconnect after `retry`.
  void shutdown() override;

 private:
  friend class SseStream;
  void handle(HttpConnection& connection, const HttpRequest& request);

  Hub& hub_;
  SseConfig config_;
  TransportStats stats_;
  SharedBuffer heartbeat_;  // one buffer queued on every idle stream
  SessionRegistry<SseStream> streams_{&stats_};
  bool shutting_down_ = false;
};

}  // namespace rtb
