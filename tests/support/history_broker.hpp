// HistoryBroker: a test broker that, like a Redis broker's capped stream, holds more history than a hub's
// window (and events published before the hub watched the channel), and answers fetch() the way a test picks:
// at once, late, with a failure, or never. It lives on the loop it is given.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "transports/net/loop.hpp"
#include "transports/net/timer_wheel.hpp"
#include "transports/pubsub/broker.hpp"

namespace rtb::test {

class HistoryBroker final : public Broker {
 public:
  enum class Answer : std::uint8_t { kAtOnce, kLate, kFail, kNever };

  // Keeps the newest `capacity` events of each channel.
  HistoryBroker(Loop& loop, std::size_t capacity);
  HistoryBroker(const HistoryBroker&) = delete;
  HistoryBroker& operator=(const HistoryBroker&) = delete;

  std::string_view name() const override { return "test-history"; }
  void set_sink(BrokerSink* sink) override { sink_ = sink; }
  // Assigns the next id, keeps the event and delivers it to the sink at once.
  void publish(std::string_view channel, std::string_view data, PublishDone done) override;
  void watch(std::string_view) override {}
  void fetch(std::string_view channel, std::uint64_t after, std::size_t max, FetchDone done) override;
  bool keeps_history_beyond_window() const override { return true; }

  // Events published before this process watched the channel: kept here, never delivered to the sink.
  void seed(std::string_view channel, std::uint64_t count,
            const std::function<std::string(std::uint64_t)>& text);
  // Answers every fetch held by kLate now, from the history as it is now.
  void answer_held();
  std::size_t held() const { return held_.size(); }

  Answer answer = Answer::kAtOnce;
  std::uint32_t late_ms = 0;  // kLate: how long a fetch is held (0: until answer_held())
  std::uint64_t fetches = 0;  // fetch() calls

 private:
  struct Stream {
    std::deque<std::pair<std::uint64_t, std::string>> events;
    std::uint64_t last_id = 0;
  };
  struct Held {
    std::string channel;
    std::uint64_t after;
    std::size_t max;
    FetchDone done;
  };
  void keep(Stream& stream, std::string_view data);
  FetchResult read(const std::string& channel, std::uint64_t after, std::size_t max) const;
  static void on_late(TimerEntry& entry);

  Loop& loop_;
  std::size_t capacity_;
  BrokerSink* sink_ = nullptr;
  std::map<std::string, Stream, std::less<>> streams_;
  std::vector<Held> held_;
  std::vector<FetchDone> never_;  // kNever: kept, never called
  TimerEntry late_timer_;
};

}  // namespace rtb::test
