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

class Hub;

class LocalBroker final : public Broker {
 public:
  // `hub` is the sink whose window is this broker's history (it owns the broker).
  explicit LocalBroker(const Hub& hub) : hub_(hub) {}
  std::string_view name() const override { return "local"; }
  void set_sink(BrokerSink* sink) override { sink_ = sink; }
  void publish(std::string_view channel, std::string_view data, PublishDone done) override;
  void watch(std::string_view) override {}
  // Answers at once from the hub's window: the events share its buffers, nothing is copied.
  void fetch(std::string_view channel, std::uint64_t after, std::size_t max, FetchDone done) override;
  bool keeps_history_beyond_window() const override { return false; }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  const Hub& hub_;
  BrokerSink* sink_ = nullptr;
  std::unordered_map<std::string, std::uint64_t, Hash, std::equal_to<>> last_ids_;
};

}  // namespace rtb
