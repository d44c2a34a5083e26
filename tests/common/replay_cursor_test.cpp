// ReplayCursor: replay from the hub's window, gaps said once, history beyond the window read through the
// broker (at once, late, failing, never answering: bounded by the fetch timeout), the hand-over to live
// events, and answers that come after the cursor moved on.
#include "transports/common/replay_cursor.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "tests/net/run_until.hpp"
#include "tests/support/history_broker.hpp"
#include "transports/net/loop.hpp"

namespace rtb::test {
namespace {

using Step = ReplayCursor::Step;

std::string text_for(std::uint64_t id) {
  return "event " + std::to_string(id);
}

struct CountingListener final : ReplayListener {
  void on_replay_ready() override { ++calls; }
  int calls = 0;
};

// Writes everything the cursor yields now: "gap a-b" or "<id>"; checks each event's text. Returns the step
// it stopped at (kWait or kLive).
Step drain(ReplayCursor& cursor, std::vector<std::string>& out) {
  for (;;) {
    const Step step = cursor.next();
    if (step == Step::kGap) {
      out.push_back("gap " + std::to_string(cursor.gap_first()) + "-" + std::to_string(cursor.gap_last()));
      cursor.pass();
    } else if (step == Step::kEvent) {
      const Event& e = cursor.event();
      EXPECT_EQ(e.text(), text_for(e.id));
      out.push_back(std::to_string(e.id));
      cursor.pass();
    } else {
      return step;
    }
  }
}

// "gap a-b" (when given) then "first".."last".
std::vector<std::string> replayed(std::uint64_t first, std::uint64_t last, std::string gap = {}) {
  std::vector<std::string> out;
  if (!gap.empty()) out.push_back("gap " + gap);
  for (std::uint64_t id = first; id <= last; ++id) out.push_back(std::to_string(id));
  return out;
}

void publish_n(Hub& hub, std::string_view channel, std::uint64_t n) {
  for (std::uint64_t i = 0; i < n; ++i) {
    const std::uint64_t id = hub.find(channel) != nullptr ? hub.find(channel)->last_id() + 1 : 1;
    hub.publish(channel, text_for(id));
  }
}

HubConfig small_window(std::size_t window) {
  HubConfig config;
  config.history = window;
  config.fetch_timeout_ms = 50;
  return config;
}

// A hub with a small window in front of a HistoryBroker that keeps `kept` events.
struct BrokerFixture {
  explicit BrokerFixture(std::size_t window = 4, std::size_t kept = 100)
      : broker(loop, kept), hub(small_window(window), broker, loop.timers()) {}
  Loop loop{10};
  HistoryBroker broker;
  Hub hub;
};

TEST(ReplayCursor, LocalBrokerReplaysTheWindowAndSaysTheGapOnce) {
  Loop loop;
  Hub hub(small_window(4));
  publish_n(hub, "c", 10);
  ReplayCursor cursor;
  cursor.start(*hub.find("c"), 2, 64);
  std::vector<std::string> got;
  EXPECT_EQ(drain(cursor, got), Step::kLive);
  EXPECT_EQ(got, replayed(7, 10, "3-6"));
  EXPECT_EQ(cursor.position(), 10u);
}

TEST(ReplayCursor, ResumeBeyondTheNewestIsTheNewest) {
  Loop loop;
  Hub hub;
  publish_n(hub, "c", 3);
  ReplayCursor cursor;
  cursor.start(*hub.find("c"), 50, 64);
  EXPECT_EQ(cursor.next(), Step::kLive);
  EXPECT_EQ(cursor.position(), 3u);
}

TEST(ReplayCursor, LiveEventsAreTakenOnlyWhenOwedNext) {
  Loop loop;
  Hub hub;
  Channel& channel = *hub.channel("c");
  publish_n(hub, "c", 5);
  ReplayCursor cursor;
  cursor.start(channel, 1, 64);
  // Behind: the event is in the window and the replay will reach it.
  publish_n(hub, "c", 1);
  EXPECT_FALSE(cursor.take_live(*channel.retained(6)));
  std::vector<std::string> got;
  EXPECT_EQ(drain(cursor, got), Step::kLive);
  EXPECT_EQ(got, replayed(2, 6));
  publish_n(hub, "c", 1);
  EXPECT_TRUE(cursor.take_live(*channel.retained(7)));
  EXPECT_FALSE(cursor.take_live(*channel.retained(7)));  // written already
  EXPECT_EQ(cursor.position(), 7u);
}

TEST(ReplayCursor, AReplayThatStoppedAtTheNewestTakesTheNextLiveEvent) {
  Loop loop;
  Hub hub;
  Channel& channel = *hub.channel("c");
  publish_n(hub, "c", 2);
  ReplayCursor cursor;
  cursor.start(channel, 0, 64);
  // Written 1 and 2, then the socket pushed back: next() has not been asked again.
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(cursor.next(), Step::kEvent);
    cursor.pass();
  }
  publish_n(hub, "c", 1);
  EXPECT_TRUE(cursor.take_live(*channel.retained(3)));
}

TEST(ReplayCursor, LiveStartOwesOnlyNewEvents) {
  Loop loop;
  Hub hub;
  Channel& channel = *hub.channel("c");
  publish_n(hub, "c", 4);
  ReplayCursor cursor;
  cursor.start_live(channel);
  EXPECT_EQ(cursor.next(), Step::kLive);
  EXPECT_EQ(cursor.position(), 4u);
  publish_n(hub, "c", 1);
  EXPECT_TRUE(cursor.take_live(*channel.retained(5)));
}

TEST(ReplayCursor, ANeverStartedCursorYieldsNothing) {
  ReplayCursor cursor;
  EXPECT_FALSE(cursor.started());
  EXPECT_EQ(cursor.next(), Step::kLive);
}

TEST(ReplayCursor, ReadsHistoryBeyondTheWindowFromTheBroker) {
  BrokerFixture f;
  publish_n(f.hub, "c", 50);  // the window holds 47..50, the broker all 50
  CountingListener listener;
  ReplayCursor cursor(&listener);
  cursor.start(*f.hub.find("c"), 10, 8);
  std::vector<std::string> got;
  EXPECT_EQ(drain(cursor, got), Step::kLive);
  EXPECT_EQ(got, replayed(11, 50));
  EXPECT_EQ(f.broker.fetches, 5u);  // 36 ids beyond the window, 8 per answer
  EXPECT_EQ(listener.calls, 0);     // answered inside fetch(): no wait to report
}

TEST(ReplayCursor, WhatTheBrokerNoLongerHoldsIsAGap) {
  BrokerFixture f(4, 20);  // the broker keeps 31..50
  publish_n(f.hub, "c", 50);
  ReplayCursor cursor;
  cursor.start(*f.hub.find("c"), 10, 64);
  std::vector<std::string> got;
  EXPECT_EQ(drain(cursor, got), Step::kLive);
  EXPECT_EQ(got, replayed(31, 50, "11-30"));
}

TEST(ReplayCursor, WaitsForALateBrokerAndMissesNothingPublishedMeanwhile) {
  BrokerFixture f;
  f.broker.answer = HistoryBroker::Answer::kLate;
  publish_n(f.hub, "c", 50);
  Channel& channel = *f.hub.channel("c");
  CountingListener listener;
  ReplayCursor cursor(&listener);
  cursor.start(channel, 10, 8);
  std::vector<std::string> got;
  EXPECT_EQ(drain(cursor, got), Step::kWait);
  EXPECT_TRUE(got.empty());
  publish_n(f.hub, "c", 3);  // live meanwhile: the window slides, the cursor does not take them
  for (std::uint64_t id = 51; id <= 53; ++id) EXPECT_FALSE(cursor.take_live(*channel.retained(id)));
  int rounds = 0;
  while (drain(cursor, got) == Step::kWait && rounds++ < 20) {
    const int before = listener.calls;
    f.broker.answer_held();
    EXPECT_EQ(listener.calls, before + 1);
  }
  EXPECT_EQ(got, replayed(11, 53));
}

TEST(ReplayCursor, ABrokerFailureNamesWhatTheWindowLacks) {
  BrokerFixture f;
  f.broker.answer = HistoryBroker::Answer::kFail;
  publish_n(f.hub, "c", 50);
  ReplayCursor cursor;
  cursor.start(*f.hub.find("c"), 10, 8);
  std::vector<std::string> got;
  EXPECT_EQ(drain(cursor, got), Step::kLive);
  EXPECT_EQ(got, replayed(47, 50, "11-46"));
}

TEST(ReplayCursor, ABrokerThatNeverAnswersTimesOutIntoAGapAndItsLateAnswerIsIgnored) {
  BrokerFixture f;
  f.broker.answer = HistoryBroker::Answer::kLate;  // held until the test answers: after the timeout
  publish_n(f.hub, "c", 50);
  CountingListener listener;
  ReplayCursor cursor(&listener);
  cursor.start(*f.hub.find("c"), 10, 8);
  std::vector<std::string> got;
  ASSERT_EQ(drain(cursor, got), Step::kWait);
  ASSERT_TRUE(run_until(
      f.loop, [&] { return listener.calls > 0; }, 2000));
  EXPECT_EQ(drain(cursor, got), Step::kLive);
  EXPECT_EQ(got, replayed(47, 50, "11-46"));
  f.broker.answer_held();
  EXPECT_EQ(listener.calls, 1);
  EXPECT_EQ(drain(cursor, got), Step::kLive);
  EXPECT_EQ(got, replayed(47, 50, "11-46"));
}

TEST(ReplayCursor, GiveUpEndsTheWaitWithAGap) {
  BrokerFixture f;
  f.broker.answer = HistoryBroker::Answer::kNever;
  publish_n(f.hub, "c", 50);
  CountingListener listener;
  ReplayCursor cursor(&listener);
  cursor.start(*f.hub.find("c"), 10, 8);
  std::vector<std::string> got;
  ASSERT_EQ(drain(cursor, got), Step::kWait);
  cursor.give_up();
  EXPECT_EQ(listener.calls, 1);
  EXPECT_EQ(drain(cursor, got), Step::kLive);
  EXPECT_EQ(got, replayed(47, 50, "11-46"));
}

TEST(ReplayCursor, AnAnswerAfterTheCursorIsGoneIsDropped) {
  BrokerFixture f;
  f.broker.answer = HistoryBroker::Answer::kLate;
  publish_n(f.hub, "c", 50);
  {
    CountingListener listener;
    ReplayCursor cursor(&listener);
    cursor.start(*f.hub.find("c"), 10, 8);
    ASSERT_EQ(cursor.next(), Step::kWait);
  }
  EXPECT_EQ(f.broker.held(), 1u);
  f.broker.answer_held();  // reaches nobody (AddressSanitizer builds check it touches nothing)
}

TEST(ReplayCursor, AWaitingCursorCanChangeHands) {
  BrokerFixture f;
  f.broker.answer = HistoryBroker::Answer::kLate;
  publish_n(f.hub, "c", 50);
  CountingListener first;
  CountingListener second;
  ReplayCursor cursor(&first);
  cursor.start(*f.hub.find("c"), 40, 64);
  ASSERT_EQ(cursor.next(), Step::kWait);
  ReplayCursor moved(std::move(cursor));
  moved.set_listener(&second);
  f.broker.answer_held();
  EXPECT_EQ(first.calls, 0);
  EXPECT_EQ(second.calls, 1);
  std::vector<std::string> got;
  EXPECT_EQ(drain(moved, got), Step::kLive);
  EXPECT_EQ(got, replayed(41, 50));
}

TEST(ReplayCursor, AFreshWorkerWithAnEmptyWindowAsksTheBroker) {
  BrokerFixture f;
  f.broker.seed("c", 30, text_for);  // published before this process watched the channel
  Channel& channel = *f.hub.channel("c");
  ReplayCursor cursor;
  cursor.start(channel, 10, 8);
  std::vector<std::string> got;
  EXPECT_EQ(drain(cursor, got), Step::kLive);
  EXPECT_EQ(got, replayed(11, 30));
  f.hub.publish("c", text_for(31));
  EXPECT_TRUE(cursor.take_live(*channel.retained(31)));

  ReplayCursor ahead;
  ahead.start(channel, 100, 8);
  EXPECT_EQ(ahead.next(), Step::kLive);
  EXPECT_EQ(ahead.position(), 31u);  // beyond the newest: the newest

  ReplayCursor live;
  live.start_live(*f.hub.channel("d"));
  f.broker.seed("d", 7, text_for);
  f.hub.publish("d", text_for(8));
  EXPECT_TRUE(
      live.take_live(*f.hub.find("d")->retained(8)));  // the edge was unknown: the first event fixes it
}

TEST(ReplayCursor, AFailureWithAnEmptyWindowIsNamedOnceAnEventShowsTheHole) {
  BrokerFixture f;
  f.broker.seed("c", 30, text_for);
  f.broker.answer = HistoryBroker::Answer::kFail;
  Channel& channel = *f.hub.channel("c");
  CountingListener listener;
  ReplayCursor cursor(&listener);
  cursor.start(channel, 10, 8);
  std::vector<std::string> got;
  EXPECT_EQ(drain(cursor, got), Step::kLive);  // nothing known to be lost yet
  EXPECT_TRUE(got.empty());
  f.hub.publish("c", text_for(31));
  EXPECT_FALSE(cursor.take_live(*channel.retained(31)));
  EXPECT_EQ(listener.calls, 1);
  EXPECT_EQ(drain(cursor, got), Step::kLive);
  EXPECT_EQ(got, replayed(31, 31, "11-30"));
}

// A broker whose answers a test writes by hand.
class ScriptedBroker final : public Broker {
 public:
  std::string_view name() const override { return "scripted"; }
  void set_sink(BrokerSink* sink) override { sink_ = sink; }
  void publish(std::string_view channel, std::string_view data, PublishDone done) override {
    const std::uint64_t id = ++last_id;
    sink_->on_broker_event(channel, id, data);
    if (done) done(PublishOutcome{id, {}});
  }
  void watch(std::string_view) override {}
  void fetch(std::string_view, std::uint64_t after, std::size_t max, FetchDone done) override {
    done(script(after, max));
  }
  bool keeps_history_beyond_window() const override { return true; }
  std::function<FetchResult(std::uint64_t, std::size_t)> script;
  std::uint64_t last_id = 0;

 private:
  BrokerSink* sink_ = nullptr;
};

Event event_of(std::uint64_t id) {
  return Event{id, 0, SharedBuffer::copy_of(text_for(id)), {}};
}

TEST(ReplayCursor, HolesAndRepeatsInABrokerAnswerAreNamedAndDropped) {
  Loop loop;
  ScriptedBroker broker;
  Hub hub(small_window(2), broker, loop.timers());
  publish_n(hub, "c", 20);  // the window holds 19..20
  broker.script = [](std::uint64_t after, std::size_t) {
    FetchResult r;
    r.last_id = 20;
    if (after == 10) {
      for (std::uint64_t id : {5, 12, 14}) r.events.push_back(event_of(id));
    }
    return r;  // from 14 on: nothing (and no gap), though the window starts at 19
  };
  ReplayCursor cursor;
  cursor.start(*hub.find("c"), 10, 8);
  std::vector<std::string> got;
  EXPECT_EQ(drain(cursor, got), Step::kLive);
  EXPECT_EQ(got, (std::vector<std::string>{"gap 11-11", "12", "gap 13-13", "14", "gap 15-18", "19", "20"}));
}

TEST(ReplayCursor, KeepsNoMoreOfAnAnswerThanItAskedFor) {
  Loop loop;
  ScriptedBroker broker;
  Hub hub(small_window(2), broker, loop.timers());
  publish_n(hub, "c", 40);
  std::vector<std::size_t> asked;
  broker.script = [&](std::uint64_t after, std::size_t max) {
    asked.push_back(max);
    FetchResult r;
    r.last_id = 40;
    for (std::uint64_t id = after + 1; id <= 40; ++id) r.events.push_back(event_of(id));  // everything
    return r;
  };
  ReplayCursor cursor;
  cursor.start(*hub.find("c"), 0, 16);
  std::vector<std::string> got;
  EXPECT_EQ(drain(cursor, got), Step::kLive);
  EXPECT_EQ(got, replayed(1, 40));
  EXPECT_EQ(asked, (std::vector<std::size_t>{16, 16, 16}));  // 1-16, 17-32, 33-40: each answer cut to 16
}

}  // namespace
}  // namespace rtb::test
