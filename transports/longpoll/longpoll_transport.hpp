// LongPollTransport: `GET /longpoll?channel=C&since=N&timeout=MS` answers like /poll, or holds the request
// until an event after N is published or the timeout passes (204).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>

#include "transports/common/replay_wait.hpp"
#include "transports/common/session_registry.hpp"
#include "transports/common/transport.hpp"
#include "transports/net/loop.hpp"
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
  // A parked poll's turn (an event, its timeout, shutdown): answers with the events after `since`.
  void answer(HttpConnection& connection, Channel& channel, std::uint64_t since);
  // Answers from the cursor (204 when it holds nothing and parking is not wanted), parks the request at the
  // cursor's position for `park_ms` when it has nothing yet, or first waits for the broker. An answer or a
  // park replaces a deferred session of the connection: callers return right after.
  void reply(HttpConnection& connection, Channel* channel, ReplayCursor& cursor, std::uint32_t park_ms);
  // An event woke a parked poll: it is answered from answer_woken_, with every other poll woken in this
  // loop turn, so that every event published in the turn joins the same answers.
  void wake(LongPollSession& session, Loop& loop);
  static void on_answer_woken(LoopTask& task);
  // How many events one broker answer may bring: one batch.
  std::uint32_t batch() const {
    return static_cast<std::uint32_t>(std::min<std::uint64_t>(max_batch_events_, UINT32_MAX));
  }

  Hub& hub_;
  LongPollConfig config_;
  std::uint64_t max_batch_events_;
  TransportStats stats_;
  std::string scratch_;
  SessionRegistry<LongPollSession> parked_{&stats_};  // for shutdown()
  SessionRegistry<LongPollSession> woken_{&stats_};   // woken by an event, to be answered by answer_woken_
  LoopTask answer_woken_{&LongPollTransport::on_answer_woken, this};
  ReplayWaits waits_;
  bool shutting_down_ = false;
};

}  // namespace rtb
