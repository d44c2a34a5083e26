// Hub: this process's view of the channels: a bounded window of history per channel and the push subscribers,
// fed by a Broker, which assigns the ids. Every transport reads it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "transports/pubsub/broker.hpp"
#include "transports/pubsub/event_ring.hpp"

namespace rtb {

class Channel;
class Hub;
class TimerWheel;

// A push subscriber (SSE stream, WebSocket, parked long poll). Embedded in its session; destroying it
// unsubscribes it.
class HubSubscriber {
 public:
  HubSubscriber() = default;
  HubSubscriber(const HubSubscriber&) = delete;
  HubSubscriber& operator=(const HubSubscriber&) = delete;
  virtual ~HubSubscriber();
  // May unsubscribe this subscriber (or close its connection); must not destroy other subscribers.
  virtual void on_hub_event(const Event& event) = 0;
  void unsubscribe();
  bool subscribed() const { return channel_ != nullptr; }
  Channel* channel() const { return channel_; }

 private:
  friend class Channel;
  Channel* channel_ = nullptr;
  HubSubscriber* prev_ = nullptr;
  HubSubscriber* next_ = nullptr;
};

// What a `since` query yields: retained events with id in [first, last], and what was lost before them.
struct HistorySlice {
  std::uint64_t first = 0;  // 0 when there is nothing to send
  std::uint64_t last = 0;
  std::uint64_t gap_first = 0;  // ids the client asked for that history no longer has (0 when none)
  std::uint64_t gap_last = 0;
  bool empty() const { return first == 0; }
  std::uint64_t count() const { return first == 0 ? 0 : last - first + 1; }
};

class Channel {
 public:
  // `hub` owns the channel.
  Channel(Hub& hub, std::string name, std::size_t history);
  ~Channel();
  Hub& hub() const { return *hub_; }
  const std::string& name() const { return name_; }
  std::uint64_t last_id() const { return ring_.last_id(); }
  // The oldest id the window holds (0 when empty).
  std::uint64_t first_id() const { return ring_.first_id(); }
  // The event with this id while the window holds it, else nullptr.
  const Event* retained(std::uint64_t id) const {
    return ring_.empty() || id < ring_.first_id() || id > ring_.last_id() ? nullptr : &ring_.at(id);
  }
  const EventRing& history() const { return ring_; }
  std::size_t subscriber_count() const { return subscriber_count_; }

  // Events after `since`, at most `max_events` of them (the oldest first). A `since` beyond the newest id is
  // treated as the newest id: the client waits for new events (documented in the README).
  HistorySlice since(std::uint64_t since, std::uint64_t max_events = UINT64_MAX) const;
  void subscribe(HubSubscriber& subscriber);
  void unsubscribe(HubSubscriber& subscriber);
  // An event from the broker: kept in the window and fanned out to every subscriber.
  const Event& deliver(std::uint64_t id, std::string_view data, std::uint64_t now_ns);

 private:
  Hub* hub_;
  std::string name_;
  EventRing ring_;
  HubSubscriber* head_ = nullptr;
  HubSubscriber* tail_ = nullptr;
  HubSubscriber* fanout_next_ = nullptr;  // the fan-out cursor, kept valid across unsubscribes
  std::size_t subscriber_count_ = 0;
};

struct HubConfig {
  std::size_t history = 4096;       // events retained per channel
  std::size_t max_channels = 1024;  // a client cannot make the server allocate channels without bound
  // How long a resuming client waits for history the broker holds beyond the window; after that the ids are
  // named as a gap. Only brokers that keep such history are ever asked (LocalBroker is not).
  std::uint32_t fetch_timeout_ms = 2000;
};

struct HubCounters {
  std::uint64_t published = 0;
  std::uint64_t deliveries = 0;  // subscriber notifications (push transports)
};

class Hub final : public BrokerSink {
 public:
  // With its own LocalBroker: one process, ids and history here.
  explicit Hub(HubConfig config = {});
  // Through `broker`, which must outlive the hub, as `timers` (this process's loop's) must: they bound a
  // reader's wait for history the broker keeps beyond the window.
  Hub(HubConfig config, Broker& broker, TimerWheel& timers);
  ~Hub() override;
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  // The channel, created on first use; nullptr when the channel cap is reached.
  Channel* channel(std::string_view name);
  // The channel if it exists, without creating it.
  const Channel* find(std::string_view name) const;
  // Publishes through the broker; `done` hears the id once this hub has the event (for LocalBroker, before
  // publish() returns), or why there is none.
  void publish(std::string_view channel_name, std::string_view data, PublishDone done = nullptr);
  std::size_t channel_count() const { return channels_.size(); }
  const HubConfig& config() const { return config_; }
  HubCounters& counters() { return counters_; }
  Broker& broker() { return broker_; }
  // Set whenever the broker keeps history beyond the window (only then is anyone asked to wait for it).
  TimerWheel* timers() const { return timers_; }

  // Names are 1-64 bytes of [A-Za-z0-9._-], so they need no escaping anywhere.
  static bool valid_channel_name(std::string_view name);

  // BrokerSink
  void on_broker_event(std::string_view channel, std::uint64_t id, std::string_view data) override;

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  HubConfig config_;
  HubCounters counters_;
  std::unique_ptr<Broker> own_broker_;
  Broker& broker_;
  TimerWheel* timers_ = nullptr;
  std::unordered_map<std::string, std::unique_ptr<Channel>, Hash, std::equal_to<>> channels_;
};

std::uint64_t monotonic_ns();

}  // namespace rtb
