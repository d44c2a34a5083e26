// LongPollTransport: `GET /longpoll?channel=C&since=N&timeout=MS` answers like /poll, or holds the request
// until an event after N is published or the timeout passes (204).
#pragma once

#include <cstdint>
#include <string>

#include "transports/common/transport.hpp"
#include "transports/pubsub/hub.hpp"

namespace rtb {

struct LongPollConfig {
  std::uint32_t default_timeout_ms = 30'000;  // RFC 6202: 30 s is safe behind proxies that cut at 60 s
  std::uint32_t max_timeout_ms = 120'000;     // a larger timeout= is capped to this
};

class LongPollSession;

class LongPollTransport final : public Transport {
 public:
  // `max_batch_events` is the /poll batch limit: one answer carries at most that many events.
  LongPollTransport(Hub& hub, LongPollConfig config, std::uint64_t max_batch_events);
  ~LongPollTransport() override;
  LongPollTransport(const LongPollTransport&) = delete;
  LongPollTransport& operator=(const LongPollTransport&) = delete;

  std::string_view name() const override { return "longpoll"; }
  void add_routes(Router& router) override;
  const TransportStats& stats() const override { return stats_; }
  // Answers every parked poll now (with what history holds, usually 204); later polls are answered at once.
  void shutdown() override;

 private:
  friend class LongPollSession;
  void handle(HttpConnection& connection, const HttpRequest& request);
  // Responds with the events after `since` (204 when none); the deferred session, if any, is destroyed.
  void answer(HttpConnection& connection, const Channel* channel, std::uint64_t since);
  void link(LongPollSession& session);
  void unlink(LongPollSession& session);

  Hub& hub_;
  LongPollConfig config_;
  std::uint64_t max_batch_events_;
  TransportStats stats_;
  std::string scratch_;
  LongPollSession* first_ = nullptr;  // parked polls, for shutdown()
  bool shutting_down_ = false;
};

}  // namespace rtb
