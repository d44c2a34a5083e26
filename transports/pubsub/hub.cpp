#include "transports/pubsub/hub.hpp"

#include <time.h>

#include <cstring>

#include "transports/pubsub/local_broker.hpp"

namespace rtb {

std::uint64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<std::uint64_t>(ts.tv_nsec);
}

HubSubscriber::~HubSubscriber() {
  unsubscribe();
}

void HubSubscriber::unsubscribe() {
  if (channel_ != nullptr) channel_->unsubscribe(*this);
}

Channel::Channel(Hub& hub, std::string name, std::size_t history)
    : hub_(&hub), name_(std::move(name)), ring_(history) {}

Channel::~Channel() {
  while (head_ != nullptr) unsubscribe(*head_);
}

HistorySlice Channel::since(std::uint64_t since, std::uint64_t max_events) const {
  HistorySlice slice;
  std::uint64_t last = ring_.last_id();
  if (since >= last || ring_.empty() || max_events == 0) return slice;
  std::uint64_t first = since + 1;
  if (first < ring_.first_id()) {
    slice.gap_first = first;
    slice.gap_last = ring_.first_id() - 1;
    first = ring_.first_id();
  }
  slice.first = first;
  slice.last = last - first + 1 > max_events ? first + max_events - 1 : last;
  return slice;
}

void Channel::subscribe(HubSubscriber& subscriber) {
  if (subscriber.channel_ != nullptr) subscriber.channel_->unsubscribe(subscriber);
  // Appended at the tail: a subscriber added during a fan-out also gets the event being delivered only if
  // it subscribed before the cursor reached the end, which is harmless because sessions replay by id.
  subscriber.channel_ = this;
  subscriber.prev_ = tail_;
  subscriber.next_ = nullptr;
  if (tail_ != nullptr) {
    tail_->next_ = &subscriber;
  } else {
    head_ = &subscriber;
  }
  tail_ = &subscriber;
  ++subscriber_count_;
}

void Channel::unsubscribe(HubSubscriber& subscriber) {
  if (subscriber.channel_ != this) return;
  if (fanout_next_ == &subscriber) fanout_next_ = subscriber.next_;
  if (subscriber.prev_ != nullptr) {
    subscriber.prev_->next_ = subscriber.next_;
  } else {
    head_ = subscriber.next_;
  }
  if (subscriber.next_ != nullptr) {
    subscriber.next_->prev_ = subscriber.prev_;
  } else {
    tail_ = subscriber.prev_;
  }
  subscriber.prev_ = subscriber.next_ = nullptr;
  subscriber.channel_ = nullptr;
  --subscriber_count_;
}

const Event& Channel::deliver(std::uint64_t id, std::string_view data, std::uint64_t now_ns) {
  Event& event = ring_.push(id);
  event.published_ns = now_ns;
  // Reuse the evicted event's text buffer when nobody else holds it and it fits: no allocation in steady
  // state.
  if (event.data && event.data.use_count() == 1 && event.data.capacity() >= data.size()) {
    event.data.resize(data.size());
    if (!data.empty()) std::memcpy(event.data.data(), data.data(), data.size());
  } else {
    event.data = SharedBuffer::copy_of(data);
  }
  // Fan-out with a cursor that unsubscribe() keeps valid, so a subscriber may leave during its own callback.
  HubSubscriber* saved = fanout_next_;
  for (HubSubscriber* s = head_; s != nullptr; s = fanout_next_) {
    fanout_next_ = s->next_;
    s->on_hub_event(event);
  }
  fanout_next_ = saved;
  return event;
}

Hub::Hub(HubConfig config)
    : config_(config), own_broker_(std::make_unique<LocalBroker>(*this)), broker_(*own_broker_) {
  broker_.set_sink(this);
}

Hub::Hub(HubConfig config, Broker& broker, TimerWheel& timers)
    : config_(config), broker_(broker), timers_(&timers) {
  broker_.set_sink(this);
}

Hub::~Hub() {
  broker_.set_sink(nullptr);
}

Channel* Hub::channel(std::string_view name) {
  auto it = channels_.find(name);
  if (it != channels_.end()) return it->second.get();
  if (channels_.size() >= config_.max_channels) return nullptr;
  auto owned = std::make_unique<Channel>(*this, std::string(name), config_.history);
  Channel* raw = owned.get();
  channels_.emplace(std::string(name), std::move(owned));
  broker_.watch(name);
  return raw;
}

const Channel* Hub::find(std::string_view name) const {
  auto it = channels_.find(name);
  return it == channels_.end() ? nullptr : it->second.get();
}

void Hub::publish(std::string_view channel_name, std::string_view data, PublishDone done) {
  // The cap is checked here, before the broker counts an id that no channel of ours could hold.
  if (channel(channel_name) == nullptr) {
    if (done) done(PublishOutcome{0, "channel limit reached"});
    return;
  }
  broker_.publish(channel_name, data, std::move(done));
}

void Hub::on_broker_event(std::string_view channel_name, std::uint64_t id, std::string_view data) {
  Channel* c = channel(channel_name);
  if (c == nullptr) return;        // over the cap: this process serves no subscriber of that channel
  if (id <= c->last_id()) return;  // a broker delivers each id once; never let one go backwards
  ++counters_.published;
  counters_.deliveries += c->subscriber_count();
  c->deliver(id, data, monotonic_ns());
}

bool Hub::valid_channel_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char ch : name) {
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
              ch == '_' || ch == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace rtb
