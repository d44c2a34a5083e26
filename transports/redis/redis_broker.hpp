// RedisBroker: ids, history and fan-out kept in Redis, so that several worker processes (or servers) share
// channels. Per channel, one Lua script does INCR (the id) + XADD to a stream capped at the history length +
// PUBLISH "<id> <text>"; every process subscribes once per channel it serves and hands each event to its hub
// once, in id order. A hole in what arrives (a lost subscription, a reconnect) is filled from the stream
// before anything after it is delivered; ids the stream no longer holds reach the hub as a jump, which every
// session names to its client as a gap.
//
// Redis restarted without persistence forgets the counters: each process writes back the newest id it has
// seen of every channel it serves when it reconnects, and every publish carries that id as a floor, so ids
// never go backwards.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "transports/net/loop.hpp"
#include "transports/pubsub/broker.hpp"
#include "transports/redis/redis_link.hpp"
#include "transports/redis/redis_url.hpp"

namespace rtb {

struct RedisBrokerCounters {
  std::uint64_t publishes = 0;
  std::uint64_t publish_failures = 0;  // answered 503: Redis down, slow or refusing
  std::uint64_t fetches = 0;
  std::uint64_t fetch_failures = 0;
  std::uint64_t catch_ups = 0;  // holes filled (or given up) from the stream
  std::uint64_t ids_lost = 0;   // ids neither delivered nor in the stream: the hub saw a jump
};

class RedisBroker final : public Broker {
 public:
  struct Options {
    RedisUrl url;
    std::size_t history = 4096;  // events kept per channel in Redis (MAXLEN of its stream)
    std::uint32_t command_timeout_ms = 1000;
  };
  // Events that arrived during a catch-up wait in order; beyond this many per channel the catch-up reads
  // them from the stream instead.
  static constexpr std::size_t kMaxHeld = 10000;
  static constexpr std::size_t kCatchUpBatch = 1000;

  RedisBroker(Loop& loop, Options options);
  ~RedisBroker() override;
  RedisBroker(const RedisBroker&) = delete;
  RedisBroker& operator=(const RedisBroker&) = delete;

  // Connects both links (commands, events); until they are up, publish and fetch fail fast.
  void start();
  bool up() const { return commands_.up() && events_.up(); }

  std::string_view name() const override { return "redis"; }
  void set_sink(BrokerSink* sink) override { sink_ = sink; }
  void publish(std::string_view channel, std::string_view data, PublishDone done) override;
  void watch(std::string_view channel) override;
  void fetch(std::string_view channel, std::uint64_t after, std::size_t max, FetchDone done) override;
  bool keeps_history_beyond_window() const override { return true; }
  std::string stats_json() const override;
  const RedisBrokerCounters& counters() const { return counters_; }

 private:
  struct ChannelState {
    std::string name;
    std::string id_key, log_key, event_key;
    std::uint64_t last = 0;  // the newest id handed to the sink (0: none yet)
    // The channel's newest id in Redis when this process started watching it: before the first delivery,
    // catch-ups read the stream after it. Not a delivery: an event at or below it that arrives from the
    // subscription is still handed on (Redis may have answered the question after the subscription began).
    std::uint64_t base = 0;
    bool catching_up = false;
    // A catch-up was asked for while one was reading: read the stream once more when it ends (the second
    // may see what Redis published after the first read but before the subscription took effect).
    bool catch_up_again = false;
    // Asking Redis for the channel's newest id when this process starts watching it: events after that id
    // and before the subscription took effect are read from the stream, and events that arrive meanwhile
    // wait.
    bool awaiting_base = false;
    std::map<std::uint64_t, std::string> held;  // arrived while catching up, or beyond a hole
    // Publishes of this process answered by Redis whose event the sink does not have yet.
    std::deque<std::pair<std::uint64_t, PublishDone>> waiting;
  };
  ChannelState& state(std::string_view channel);
  void on_commands_up();
  void on_events_up();
  void subscribe(ChannelState& st);
  void request_base(ChannelState& st);
  void on_live(ChannelState& st, std::uint64_t id, std::string_view data);
  void deliver(ChannelState& st, std::uint64_t id, std::string_view data);
  void deliver_held(ChannelState& st, std::uint64_t up_to);
  void start_catch_up(ChannelState& st);
  void read_stream(ChannelState& st);
  std::string unavailable() const;

  Options options_;
  std::string history_text_;
  BrokerSink* sink_ = nullptr;
  RedisLink commands_;
  RedisLink events_;
  RedisBrokerCounters counters_;
  std::string error_;  // the text a failed PublishOutcome or FetchResult points at, during its callback
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  // Bounded by the hub's channel cap (it watches no more); a channel is never forgotten.
  std::unordered_map<std::string, std::unique_ptr<ChannelState>, Hash, std::equal_to<>> channels_;
};

}  // namespace rtb
