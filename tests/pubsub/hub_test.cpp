// Hub semantics that every transport relies on: per-channel ids, bounded history, `since` slices with gaps,
// ordered fan-out that survives subscribers leaving mid-delivery, and the channel cap.
#include "transports/pubsub/hub.hpp"

#include "transports/net/loop.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace rtb::test {
namespace {

// Records every event it receives; optionally leaves (and makes another subscriber leave) on a given id.
class Recorder : public HubSubscriber {
 public:
  void on_hub_event(const Event& event) override {
    ids.push_back(event.id);
    texts.emplace_back(event.text());
    if (event.id == leave_on_id) {
      if (also_unsubscribe != nullptr) also_unsubscribe->unsubscribe();
      if (leave_self) unsubscribe();
    }
  }
  std::vector<std::uint64_t> ids;
  std::vector<std::string> texts;
  std::uint64_t leave_on_id = 0;
  bool leave_self = false;
  HubSubscriber* also_unsubscribe = nullptr;
};

// The id the broker confirmed (0: refused); LocalBroker confirms before publish() returns.
std::uint64_t publish_id(Hub& hub, std::string_view channel, std::string_view data) {
  std::uint64_t id = 0;
  bool answered = false;
  hub.publish(channel, data, [&](const PublishOutcome& outcome) {
    answered = true;
    id = outcome.id;
  });
  EXPECT_TRUE(answered);
  return id;
}

TEST(Hub, IdsStartAtOneAndIncreaseByOnePerChannel) {
  Hub hub;
  EXPECT_EQ(publish_id(hub, "a", "x"), 1u);
  EXPECT_EQ(publish_id(hub, "a", "x"), 2u);
  EXPECT_EQ(publish_id(hub, "b", "x"), 1u);  // another channel counts on its own
  EXPECT_EQ(publish_id(hub, "a", "x"), 3u);
  EXPECT_EQ(publish_id(hub, "b", "x"), 2u);
  EXPECT_EQ(hub.find("a")->last_id(), 3u);
  EXPECT_EQ(hub.find("b")->last_id(), 2u);
  EXPECT_EQ(hub.counters().published, 5u);
  EXPECT_EQ(hub.channel_count(), 2u);
}

TEST(Hub, ABrokerEventAtOrBelowTheNewestIdIsIgnored) {
  Hub hub;
  hub.publish("c", "one");
  hub.publish("c", "two");
  hub.on_broker_event("c", 2, "again");
  hub.on_broker_event("c", 1, "older");
  const Channel* c = hub.find("c");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->last_id(), 2u);
  EXPECT_EQ(c->retained(2)->text(), "two");
  EXPECT_EQ(hub.counters().published, 2u);
}

TEST(Hub, FindDoesNotCreateChannels) {
  Hub hub;
  EXPECT_EQ(hub.find("nope"), nullptr);
  EXPECT_EQ(hub.channel_count(), 0u);
  EXPECT_NE(hub.channel("yes"), nullptr);
  EXPECT_NE(hub.find("yes"), nullptr);
  EXPECT_EQ(hub.channel_count(), 1u);
}

TEST(Hub, HistoryKeepsTheLastNEvents) {
  Hub hub(HubConfig{.history = 4, .max_channels = 8});
  for (int i = 1; i <= 10; ++i) hub.publish("c", "event " + std::to_string(i));
  const Channel* c = hub.find("c");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->history().size(), 4u);
  EXPECT_EQ(c->history().first_id(), 7u);
  EXPECT_EQ(c->history().last_id(), 10u);
  for (std::uint64_t id = 7; id <= 10; ++id) {
    EXPECT_EQ(c->history().at(id).id, id);
    EXPECT_EQ(c->history().at(id).text(), "event " + std::to_string(id));
  }
}

TEST(Hub, EvictedBufferReuseKeepsEachEventsOwnText) {
  // The hub reuses an evicted event's buffer; texts of different lengths must still come back exactly.
  Hub hub(HubConfig{.history = 2, .max_channels = 8});
  hub.publish("c", "a long first message");
  hub.publish("c", "second");
  hub.publish("c", "3");
  hub.publish("c", "");
  const Channel* c = hub.find("c");
  EXPECT_EQ(c->history().at(3).text(), "3");
  EXPECT_EQ(c->history().at(4).text(), "");
}

TEST(Hub, SinceReturnsExactlyTheIdsAfterIt) {
  Hub hub;
  for (int i = 0; i < 5; ++i) hub.publish("c", "x");
  const Channel* c = hub.find("c");
  HistorySlice all = c->since(0);
  EXPECT_EQ(all.first, 1u);
  EXPECT_EQ(all.last, 5u);
  EXPECT_EQ(all.count(), 5u);
  EXPECT_EQ(all.gap_first, 0u);
  EXPECT_EQ(all.gap_last, 0u);

  HistorySlice tail = c->since(3);
  EXPECT_EQ(tail.first, 4u);
  EXPECT_EQ(tail.last, 5u);
  EXPECT_EQ(tail.count(), 2u);

  HistorySlice one = c->since(4);
  EXPECT_EQ(one.first, 5u);
  EXPECT_EQ(one.last, 5u);
}

TEST(Hub, SinceIsCappedByMaxEventsOldestFirst) {
  Hub hub;
  for (int i = 0; i < 10; ++i) hub.publish("c", "x");
  HistorySlice s = hub.find("c")->since(2, 3);
  EXPECT_EQ(s.first, 3u);
  EXPECT_EQ(s.last, 5u);
  EXPECT_EQ(s.count(), 3u);
  EXPECT_TRUE(hub.find("c")->since(2, 0).empty());
}

TEST(Hub, SinceAtOrBeyondTheNewestIsEmpty) {
  Hub hub;
  for (int i = 0; i < 3; ++i) hub.publish("c", "x");
  const Channel* c = hub.find("c");
  EXPECT_TRUE(c->since(3).empty());
  EXPECT_EQ(c->since(3).count(), 0u);
  EXPECT_TRUE(c->since(1000).empty());
  EXPECT_EQ(c->since(1000).gap_first, 0u);
  EXPECT_TRUE(c->since(UINT64_MAX).empty());
}

TEST(Hub, SinceOnAnEmptyChannelIsEmpty) {
  Hub hub;
  Channel* c = hub.channel("c");
  EXPECT_TRUE(c->since(0).empty());
  EXPECT_EQ(c->since(0).gap_first, 0u);
}

TEST(Hub, SinceOlderThanHistoryReportsTheGap) {
  Hub hub(HubConfig{.history = 4, .max_channels = 8});
  for (int i = 0; i < 10; ++i) hub.publish("c", "x");
  const Channel* c = hub.find("c");
  HistorySlice s = c->since(0);
  EXPECT_EQ(s.gap_first, 1u);
  EXPECT_EQ(s.gap_last, 6u);
  EXPECT_EQ(s.first, 7u);
  EXPECT_EQ(s.last, 10u);

  HistorySlice s2 = c->since(4);
  EXPECT_EQ(s2.gap_first, 5u);
  EXPECT_EQ(s2.gap_last, 6u);
  EXPECT_EQ(s2.first, 7u);

  // Exactly at the edge of history: nothing lost.
  HistorySlice s3 = c->since(6);
  EXPECT_EQ(s3.gap_first, 0u);
  EXPECT_EQ(s3.first, 7u);

  // The gap is reported even when max_events cuts the slice short.
  HistorySlice s4 = c->since(0, 2);
  EXPECT_EQ(s4.gap_first, 1u);
  EXPECT_EQ(s4.gap_last, 6u);
  EXPECT_EQ(s4.first, 7u);
  EXPECT_EQ(s4.last, 8u);
}

TEST(Hub, SubscribersReceiveEventsInOrder) {
  Hub hub;
  Recorder a, b;
  hub.channel("c")->subscribe(a);
  hub.channel("c")->subscribe(b);
  EXPECT_EQ(hub.channel("c")->subscriber_count(), 2u);
  for (int i = 1; i <= 5; ++i) hub.publish("c", "m" + std::to_string(i));
  hub.publish("other", "not for us");
  EXPECT_EQ(a.ids, (std::vector<std::uint64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(b.ids, a.ids);
  EXPECT_EQ(a.texts, (std::vector<std::string>{"m1", "m2", "m3", "m4", "m5"}));
  EXPECT_EQ(hub.counters().deliveries, 10u);
}

TEST(Hub, SubscriberMayUnsubscribeItselfDuringFanOut) {
  Hub hub;
  Recorder a, b, c;
  Channel* ch = hub.channel("c");
  ch->subscribe(a);
  ch->subscribe(b);
  ch->subscribe(c);
  b.leave_on_id = 2;
  b.leave_self = true;
  hub.publish("c", "1");
  hub.publish("c", "2");
  hub.publish("c", "3");
  EXPECT_EQ(a.ids, (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(b.ids, (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(c.ids, (std::vector<std::uint64_t>{1, 2, 3}));  // the one after the leaver is not skipped
  EXPECT_FALSE(b.subscribed());
  EXPECT_EQ(ch->subscriber_count(), 2u);
}

TEST(Hub, SubscriberMayUnsubscribeTheNextOneDuringFanOut) {
  Hub hub;
  Recorder a, b, c;
  Channel* ch = hub.channel("c");
  ch->subscribe(a);
  ch->subscribe(b);
  ch->subscribe(c);
  // a removes b (the fan-out cursor's next) and itself while event 1 is delivered.
  a.leave_on_id = 1;
  a.leave_self = true;
  a.also_unsubscribe = &b;
  hub.publish("c", "1");
  hub.publish("c", "2");
  EXPECT_EQ(a.ids, (std::vector<std::uint64_t>{1}));
  EXPECT_TRUE(b.ids.empty());
  EXPECT_EQ(c.ids, (std::vector<std::uint64_t>{1, 2}));
  EXPECT_EQ(ch->subscriber_count(), 1u);
}

TEST(Hub, LastSubscriberUnsubscribingAnEarlierOneIsSafe) {
  Hub hub;
  Recorder a, b;
  Channel* ch = hub.channel("c");
  ch->subscribe(a);
  ch->subscribe(b);
  b.leave_on_id = 1;
  b.also_unsubscribe = &a;
  hub.publish("c", "1");
  hub.publish("c", "2");
  EXPECT_EQ(a.ids, (std::vector<std::uint64_t>{1}));
  EXPECT_EQ(b.ids, (std::vector<std::uint64_t>{1, 2}));
}

TEST(Hub, DestroyedSubscriberIsUnsubscribed) {
  Hub hub;
  Recorder kept;
  Channel* ch = hub.channel("c");
  ch->subscribe(kept);
  {
    Recorder gone;
    ch->subscribe(gone);
    EXPECT_EQ(ch->subscriber_count(), 2u);
  }
  EXPECT_EQ(ch->subscriber_count(), 1u);
  hub.publish("c", "x");
  EXPECT_EQ(kept.ids.size(), 1u);
}

TEST(Hub, SubscribingToAnotherChannelMovesTheSubscriber) {
  Hub hub;
  Recorder r;
  hub.channel("a")->subscribe(r);
  hub.channel("b")->subscribe(r);
  EXPECT_EQ(hub.channel("a")->subscriber_count(), 0u);
  EXPECT_EQ(hub.channel("b")->subscriber_count(), 1u);
  EXPECT_EQ(r.channel(), hub.channel("b"));
  hub.publish("a", "x");
  hub.publish("b", "y");
  EXPECT_EQ(r.texts, (std::vector<std::string>{"y"}));
}

TEST(Hub, ChannelCapRefusesNewChannelsButServesExistingOnes) {
  Hub hub(HubConfig{.history = 8, .max_channels = 2});
  EXPECT_EQ(publish_id(hub, "a", "x"), 1u);
  EXPECT_EQ(publish_id(hub, "b", "x"), 1u);
  EXPECT_EQ(publish_id(hub, "c", "x"), 0u);
  EXPECT_EQ(hub.channel("c"), nullptr);
  EXPECT_EQ(hub.channel_count(), 2u);
  EXPECT_EQ(publish_id(hub, "a", "x"), 2u);
  EXPECT_EQ(hub.counters().published, 3u);  // the refused publish is not counted
}

TEST(Hub, RefusedPublishSaysWhy) {
  Hub hub(HubConfig{.history = 8, .max_channels = 1});
  publish_id(hub, "a", "x");
  std::string error;
  hub.publish("b", "x", [&](const PublishOutcome& outcome) { error = std::string(outcome.error); });
  EXPECT_EQ(error, "channel limit reached");
}

// A broker that confirms later (as one across the network does) and counts what the hub asks of it.
class DeferredBroker final : public Broker {
 public:
  std::string_view name() const override { return "deferred"; }
  void set_sink(BrokerSink* sink) override { sink_ = sink; }
  void publish(std::string_view channel, std::string_view data, PublishDone done) override {
    pending.push_back({std::string(channel), std::string(data), std::move(done)});
  }
  void watch(std::string_view channel) override { watched.emplace_back(channel); }
  void fetch(std::string_view, std::uint64_t, std::size_t, FetchDone done) override {
    done(FetchResult::failed("not kept"));
  }
  bool keeps_history_beyond_window() const override { return false; }
  // Assigns ids in arrival order and delivers, as the broker's round trip would.
  void confirm_all() {
    for (auto& p : pending) {
      const std::uint64_t id = ++last_ids[p.channel];
      sink_->on_broker_event(p.channel, id, p.data);
      p.done(PublishOutcome{id, {}});
    }
    pending.clear();
  }
  struct Pending {
    std::string channel, data;
    PublishDone done;
  };
  std::vector<Pending> pending;
  std::vector<std::string> watched;
  std::map<std::string, std::uint64_t> last_ids;

 private:
  BrokerSink* sink_ = nullptr;
};

TEST(Hub, EventsArriveFromTheBrokerWithItsIds) {
  Loop loop;
  DeferredBroker broker;
  Hub hub(HubConfig{}, broker, loop.timers());
  Recorder r;
  hub.channel("c")->subscribe(r);
  std::vector<std::uint64_t> confirmed;
  for (int i = 0; i < 3; ++i)
    hub.publish("c", "e" + std::to_string(i), [&](const PublishOutcome& o) { confirmed.push_back(o.id); });
  EXPECT_TRUE(r.ids.empty());  // nothing is delivered before the broker says so
  EXPECT_TRUE(confirmed.empty());
  broker.confirm_all();
  EXPECT_EQ(r.ids, (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(r.texts, (std::vector<std::string>{"e0", "e1", "e2"}));
  EXPECT_EQ(confirmed, (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(hub.find("c")->last_id(), 3u);
  EXPECT_EQ(broker.watched, (std::vector<std::string>{"c"}));  // watched once, when the channel appeared
}

TEST(Hub, ValidChannelName) {
  EXPECT_TRUE(Hub::valid_channel_name("default"));
  EXPECT_TRUE(Hub::valid_channel_name("A-z_0.9"));
  EXPECT_TRUE(Hub::valid_channel_name("x"));
  EXPECT_TRUE(Hub::valid_channel_name(std::string(64, 'a')));
  EXPECT_FALSE(Hub::valid_channel_name(std::string(65, 'a')));
  EXPECT_FALSE(Hub::valid_channel_name(""));
  EXPECT_FALSE(Hub::valid_channel_name("a b"));
  EXPECT_FALSE(Hub::valid_channel_name("a/b"));
  EXPECT_FALSE(Hub::valid_channel_name("a%20"));
  EXPECT_FALSE(Hub::valid_channel_name("caf\xc3\xa9"));
  EXPECT_FALSE(Hub::valid_channel_name(std::string("a\0b", 3)));
}

TEST(Channel, RetainedIsTheWindowOnly) {
  HubConfig config;
  config.history = 2;
  Hub hub(config);
  Channel& c = *hub.channel("c");
  EXPECT_EQ(c.retained(1), nullptr);
  EXPECT_EQ(c.first_id(), 0u);
  for (int i = 0; i < 3; ++i) hub.publish("c", "x");
  EXPECT_EQ(c.first_id(), 2u);
  EXPECT_EQ(c.retained(1), nullptr);
  EXPECT_EQ(c.retained(2)->id, 2u);
  EXPECT_EQ(c.retained(3)->id, 3u);
  EXPECT_EQ(c.retained(4), nullptr);
}

}  // namespace
}  // namespace rtb::test
