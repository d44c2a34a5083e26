// Broker: where events get their ids and where history lives. The Hub of each worker publishes through it and
// hears every event back from it, so ids and history may live outside the process (LocalBroker keeps them in
// this one; a Redis broker keeps them in Redis and several workers share it).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "transports/pubsub/event.hpp"

namespace rtb {

// What a publish came to: the id the broker assigned, or a one-line reason it could not take the event.
struct PublishOutcome {
  std::uint64_t id = 0;    // 0 when the publish failed
  std::string_view error;  // why, when id == 0 ("channel limit reached", "broker unavailable")
  bool ok() const { return id != 0; }
};
using PublishDone = std::function<void(const PublishOutcome&)>;

// What a history read came to: the events the broker still holds after the id asked for, what it no longer
// holds, and where the channel stands; or a one-line reason there is no answer.
struct FetchResult {
  std::vector<Event> events;    // ids > after, oldest first, at most `max` (the reader keeps no more)
  std::uint64_t gap_first = 0;  // ids > after that the broker no longer holds (0: none); before `events`
  std::uint64_t gap_last = 0;
  std::uint64_t last_id = 0;  // the channel's newest id at the broker
  std::string_view error;     // non-empty: no answer ("broker unavailable"); the fields above mean nothing
  bool ok() const { return error.empty(); }
  static FetchResult failed(std::string_view why) {
    FetchResult r;
    r.error = why;
    return r;
  }
};
using FetchDone = std::function<void(FetchResult)>;

// Where a broker delivers: every event of a watched channel, once, in id order per channel.
class BrokerSink {
 public:
  virtual ~BrokerSink() = default;
  virtual void on_broker_event(std::string_view channel, std::uint64_t id, std::string_view data) = 0;
};

class Broker {
 public:
  virtual ~Broker() = default;
  // "local", "redis": for /stats and results metadata.
  virtual std::string_view name() const = 0;
  virtual void set_sink(BrokerSink* sink) = 0;
  // Assigns the next id of `channel` and delivers the event to every watching sink; `done` runs once with
  // the outcome, after this process's sink has the event (so an id in an answer is already in history).
  // It may run before publish() returns.
  virtual void publish(std::string_view channel, std::string_view data, PublishDone done) = 0;
  // This process has subscribers or history on `channel`: its events must be delivered here.
  virtual void watch(std::string_view channel) = 0;

  // Reads history: the retained events of `channel` with id > `after`, at most `max` of them. `done` runs
  // once, on this process's loop, possibly before fetch() returns; a reader that gave up meanwhile (timeout,
  // client gone) ignores it, so a broker needs no way to cancel.
  virtual void fetch(std::string_view channel, std::uint64_t after, std::size_t max, FetchDone done) = 0;
  // Whether the broker may hold events this process's hub window does not: a longer capped stream, or events
  // published before this process watched the channel. When false (LocalBroker, whose history is the hub's
  // window) readers never ask: what the window lacks is lost, and saying so needs no round trip.
  virtual bool keeps_history_beyond_window() const = 0;
  // A JSON object for /stats: at least {"name": ...}; a remote broker adds whether it is up and its counters.
  virtual std::string stats_json() const { return "{\"name\":\"" + std::string(name()) + "\"}"; }
};

}  // namespace rtb
