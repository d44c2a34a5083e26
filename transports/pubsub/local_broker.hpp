// LocalBroker: the broker of a single process. Ids are counted here and every event goes straight to the one
// sink, whose history window is then the whole history. It counts only channels the sink accepted (the hub
// checks its channel cap before publishing), so its map is bounded by that cap.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "transports/pubsub/broker.hpp"

namespace rtb {

class LocalBroker final : public Broker {
 public:
  std::string_view name() const override { return "local"; }
  void set_sink(BrokerSink* sink) override { sink_ = sink; }
  void publish(std::string_view channel, std::string_view data, PublishDone done) override;
  void watch(std::string_view) override {}

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  BrokerSink* sink_ = nullptr;
  std::unordered_map<std::string, std::uint64_t, Hash, std::equal_to<>> last_ids_;
};

}  // namespace rtb
