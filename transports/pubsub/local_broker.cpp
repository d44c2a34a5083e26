#include "transports/pubsub/local_broker.hpp"

namespace rtb {

void LocalBroker::publish(std::string_view channel, std::string_view data, PublishDone done) {
  auto it = last_ids_.find(channel);
  if (it == last_ids_.end()) it = last_ids_.emplace(std::string(channel), 0).first;
  const std::uint64_t id = ++it->second;
  if (sink_ != nullptr) sink_->on_broker_event(channel, id, data);
  if (done) done(PublishOutcome{id, {}});
}

}  // namespace rtb
