// Broker: where events get their ids and where history lives. The Hub of each worker publishes through it and
// hears every event back from it, so ids and history may live outside the process (LocalBroker keeps them in
// this one; a Redis broker keeps them in Redis and several workers share it).
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

namespace rtb {

// What a publish came to: the id the broker assigned, or a one-line reason it could not take the event.
struct PublishOutcome {
  std::uint64_t id = 0;    // 0 when the publish failed
  std::string_view error;  // why, when id == 0 ("channel limit reached", "broker unavailable")
  bool ok() const { return id != 0; }
};
using PublishDone = std::function<void(const PublishOutcome&)>;

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
};

}  // namespace rtb
