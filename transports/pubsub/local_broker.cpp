#include "transports/pubsub/local_broker.hpp"

#include "transports/pubsub/hub.hpp"

namespace rtb {

void LocalBroker::publish(std::string_view channel, std::string_view data, PublishDone done) {
  auto it = last_ids_.find(channel);
  if (it == last_ids_.end()) it = last_ids_.emplace(std::string(channel), 0).first;
  const std::uint64_t id = ++it->second;
  if (sink_ != nullptr) sink_->on_broker_event(channel, id, data);
  if (done) done(PublishOutcome{id, {}});
}

void LocalBroker::fetch(std::string_view channel, std::uint64_t after, std::size_t max, FetchDone done) {
  FetchResult result;
  if (const Channel* c = hub_.find(channel); c != nullptr) {
    const HistorySlice slice = c->since(after, max);
    result.gap_first = slice.gap_first;
    result.gap_last = slice.gap_last;
    result.last_id = c->last_id();
    result.events.reserve(slice.count());
    for (std::uint64_t id = slice.first; id != 0 && id <= slice.last; ++id) {
      const Event& e = *c->retained(id);
      result.events.push_back(Event{e.id, e.published_ns, e.data, {}});
    }
  }
  done(std::move(result));
}

}  // namespace rtb
