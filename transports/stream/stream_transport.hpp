// StreamTransport: `GET /stream?channel=C&since=N` as one never-ending chunked response (the Comet "forever
// response", SockJS's xhr-streaming), read with fetch() and a stream reader: the body carries the same
// text/event-stream records as a /poll batch, one record per chunk; history replay respects backpressure,
// then live events are encoded once and shared by every stream.
#pragma once

#include <cstdint>

#include "transports/common/session_registry.hpp"
#include "transports/common/transport.hpp"
#include "transports/net/shared_buffer.hpp"
#include "transports/pubsub/hub.hpp"

namespace rtb {

struct StreamConfig {
  std::uint32_t heartbeat_ms = 15000;  // a comment-record chunk after this much silence (as SSE); 0: none
};

class StreamSession;

class StreamTransport final : public Transport {
 public:
  StreamTransport(Hub& hub, StreamConfig config);
  ~StreamTransport() override;
  StreamTransport(const StreamTransport&) = delete;
  StreamTransport& operator=(const StreamTransport&) = delete;

  std::string_view name() const override { return "stream"; }
  void add_routes(Router& router) override;
  const TransportStats& stats() const override { return stats_; }
  // Ends every stream with the last chunk once what is queued has been sent: a clean end the client resumes
  // from with since=<last id>.
  void shutdown() override;

 private:
  friend class StreamSession;
  void handle(HttpConnection& connection, const HttpRequest& request);

  Hub& hub_;
  StreamConfig config_;
  TransportStats stats_;
  SharedBuffer heartbeat_chunk_;  // one buffer queued on every idle chunked stream
  SharedBuffer heartbeat_plain_;  // the same record unframed, for HTTP/1.0 peers
  SharedBuffer last_chunk_;       // ends every chunked body on shutdown
  SessionRegistry<StreamSession> sessions_{&stats_};
  bool shutting_down_ = false;
};

}  // namespace rtb
