// TimerWheel on a real libuv loop: entries fire once, never before their delay (measured in loop time),
// cancel works, and callbacks may reschedule or cancel other entries during a tick.
#include "transports/net/timer_wheel.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "tests/net/run_until.hpp"
#include "transports/net/loop.hpp"

namespace rtb::test {
namespace {

// A timer entry that remembers when it was scheduled and each time it fired, in loop milliseconds.
struct Probe {
  explicit Probe(Loop& loop) : loop(&loop), entry(&Probe::fire, this) {}
  static void fire(TimerEntry& e) {
    auto* p = static_cast<Probe*>(e.context);
    p->fired_at.push_back(p->loop->now_ms());
    if (p->on_fire) p->on_fire(*p);
  }
  void schedule(TimerWheel& wheel, std::uint64_t delay) {
    scheduled_at = loop->now_ms();
    delay_ms = delay;
    wheel.schedule(entry, delay);
  }
  Loop* loop;
  TimerEntry entry;
  std::uint64_t scheduled_at = 0;
  std::uint64_t delay_ms = 0;
  std::vector<std::uint64_t> fired_at;
  std::function<void(Probe&)> on_fire;
};

// Schedules `fn` to run on the loop after `ms` (a plain uv timer, not the wheel), to act mid-tick.
class Later {
 public:
  Later(Loop& loop, std::uint64_t ms, std::function<void()> fn) : fn_(std::move(fn)) {
    uv_timer_init(loop.get(), timer_.get());
    timer_.set_initialised();
    timer_->data = this;
    uv_timer_start(
        timer_.get(), [](uv_timer_t* t) { static_cast<Later*>(t->data)->run(); }, ms, 0);
  }
  bool ran() const { return ran_; }

 private:
  void run() {
    ran_ = true;
    fn_();
  }
  UvHandle<uv_timer_t> timer_;
  std::function<void()> fn_;
  bool ran_ = false;
};

TEST(TimerWheel, EntryFiresOnceAndNotBeforeItsDelay) {
  Loop loop;
  TimerWheel wheel(loop.get(), 10);
  Probe p(loop);
  p.schedule(wheel, 35);
  EXPECT_TRUE(p.entry.scheduled());
  EXPECT_EQ(wheel.size(), 1u);
  ASSERT_TRUE(run_until(loop, [&] { return !p.fired_at.empty(); }));
  ASSERT_EQ(p.fired_at.size(), 1u);
  EXPECT_GE(p.fired_at[0] - p.scheduled_at, 35u);
  EXPECT_FALSE(p.entry.scheduled());
  EXPECT_EQ(wheel.size(), 0u);
  // Run a few more ticks: a fired entry does not fire again.
  Probe later(loop);
  later.schedule(wheel, 50);
  ASSERT_TRUE(run_until(loop, [&] { return !later.fired_at.empty(); }));
  EXPECT_EQ(p.fired_at.size(), 1u);
}

TEST(TimerWheel, ZeroDelayFiresOnTheNextTick) {
  Loop loop;
  TimerWheel wheel(loop.get(), 5);
  Probe p(loop);
  p.schedule(wheel, 0);
  ASSERT_TRUE(run_until(loop, [&] { return !p.fired_at.empty(); }));
  EXPECT_EQ(p.fired_at.size(), 1u);
}

TEST(TimerWheel, NeverEarlyWhenScheduledBetweenTicks) {
  // The wheel is already ticking (a far-off entry keeps it running) and entries are scheduled at loop times
  // that fall between two ticks: each must still wait its full delay.
  Loop loop;
  TimerWheel wheel(loop.get(), 50);
  Probe keeper(loop);
  keeper.schedule(wheel, 60'000);
  std::vector<std::unique_ptr<Probe>> probes;
  std::vector<std::unique_ptr<Later>> starters;
  for (std::uint64_t offset : {7u, 23u, 41u, 68u, 95u}) {
    probes.push_back(std::make_unique<Probe>(loop));
    Probe* p = probes.back().get();
    starters.push_back(std::make_unique<Later>(loop, offset, [p, &wheel] { p->schedule(wheel, 50); }));
  }
  ASSERT_TRUE(run_until(loop, [&] {
    for (auto& p : probes)
      if (p->fired_at.empty()) return false;
    return true;
  }));
  for (auto& p : probes) {
    ASSERT_EQ(p->fired_at.size(), 1u);
    EXPECT_GE(p->fired_at[0] - p->scheduled_at, p->delay_ms)
        << "scheduled at " << p->scheduled_at << " fired at " << p->fired_at[0];
  }
  wheel.cancel(keeper.entry);
  EXPECT_TRUE(keeper.fired_at.empty());
}

TEST(TimerWheel, CancelledEntryDoesNotFire) {
  Loop loop;
  TimerWheel wheel(loop.get(), 5);
  Probe cancelled(loop), witness(loop);
  cancelled.schedule(wheel, 10);
  witness.schedule(wheel, 40);
  EXPECT_EQ(wheel.size(), 2u);
  wheel.cancel(cancelled.entry);
  EXPECT_FALSE(cancelled.entry.scheduled());
  EXPECT_EQ(wheel.size(), 1u);
  wheel.cancel(cancelled.entry);  // twice is harmless
  EXPECT_EQ(wheel.size(), 1u);
  ASSERT_TRUE(run_until(loop, [&] { return !witness.fired_at.empty(); }));
  EXPECT_TRUE(cancelled.fired_at.empty());
  EXPECT_EQ(wheel.size(), 0u);
}

TEST(TimerWheel, DestroyedEntryIsCancelled) {
  Loop loop;
  TimerWheel wheel(loop.get(), 5);
  Probe witness(loop);
  {
    Probe gone(loop);
    gone.schedule(wheel, 10);
    EXPECT_EQ(wheel.size(), 1u);
  }
  EXPECT_EQ(wheel.size(), 0u);
  witness.schedule(wheel, 30);
  ASSERT_TRUE(run_until(loop, [&] { return !witness.fired_at.empty(); }));
}

TEST(TimerWheel, ReschedulingMovesTheEntry) {
  Loop loop;
  TimerWheel wheel(loop.get(), 5);
  Probe p(loop);
  p.schedule(wheel, 10);
  p.schedule(wheel, 60);  // the second schedule replaces the first
  EXPECT_EQ(wheel.size(), 1u);
  ASSERT_TRUE(run_until(loop, [&] { return !p.fired_at.empty(); }));
  ASSERT_EQ(p.fired_at.size(), 1u);
  EXPECT_GE(p.fired_at[0] - p.scheduled_at, 60u);
}

TEST(TimerWheel, CallbackMayRescheduleItself) {
  Loop loop;
  TimerWheel wheel(loop.get(), 5);
  Probe p(loop);
  p.on_fire = [&wheel](Probe& self) {
    if (self.fired_at.size() < 4) self.schedule(wheel, 12);
  };
  p.schedule(wheel, 12);
  ASSERT_TRUE(run_until(loop, [&] { return p.fired_at.size() >= 4 && wheel.size() == 0; }));
  EXPECT_EQ(p.fired_at.size(), 4u);
  for (std::size_t i = 1; i < p.fired_at.size(); ++i) EXPECT_GE(p.fired_at[i] - p.fired_at[i - 1], 12u);
}

TEST(TimerWheel, CallbackMayCancelAnotherEntryDueInTheSameTick) {
  Loop loop;
  TimerWheel wheel(loop.get(), 10);
  Probe a(loop), b(loop), c(loop), witness(loop);
  // Same delay: all three are due in the same tick, whichever order the wheel walks them in.
  a.on_fire = [&](Probe&) {
    wheel.cancel(b.entry);
    wheel.cancel(c.entry);
  };
  b.on_fire = [&](Probe&) {
    wheel.cancel(a.entry);
    wheel.cancel(c.entry);
  };
  c.on_fire = [&](Probe&) {
    wheel.cancel(a.entry);
    wheel.cancel(b.entry);
  };
  a.schedule(wheel, 20);
  b.schedule(wheel, 20);
  c.schedule(wheel, 20);
  witness.schedule(wheel, 60);
  ASSERT_TRUE(run_until(loop, [&] { return !witness.fired_at.empty(); }));
  EXPECT_EQ(a.fired_at.size() + b.fired_at.size() + c.fired_at.size(), 1u);
  EXPECT_EQ(wheel.size(), 0u);
}

TEST(TimerWheel, CallbackMayPostponeAnotherDueEntry) {
  Loop loop;
  TimerWheel wheel(loop.get(), 10);
  Probe a(loop), b(loop);
  bool postponed = false;
  auto postpone_other = [&](Probe& other) {
    if (!postponed && other.fired_at.empty()) {
      postponed = true;
      other.schedule(wheel, 50);
    }
  };
  a.on_fire = [&](Probe&) { postpone_other(b); };
  b.on_fire = [&](Probe&) { postpone_other(a); };
  a.schedule(wheel, 20);
  b.schedule(wheel, 20);
  ASSERT_TRUE(
      run_until(loop, [&] { return a.fired_at.size() + b.fired_at.size() >= 2 && wheel.size() == 0; }));
  ASSERT_EQ(a.fired_at.size(), 1u);
  ASSERT_EQ(b.fired_at.size(), 1u);
  Probe& moved = a.delay_ms == 50 ? a : b;
  EXPECT_GE(moved.fired_at[0] - moved.scheduled_at, 50u);
}

TEST(TimerWheel, CallbackMayDestroyAnotherDueEntry) {
  Loop loop;
  TimerWheel wheel(loop.get(), 10);
  auto a = std::make_unique<Probe>(loop);
  auto b = std::make_unique<Probe>(loop);
  int fired = 0;
  a->on_fire = [&](Probe&) {
    ++fired;
    b.reset();
  };
  b->on_fire = [&](Probe&) {
    ++fired;
    a.reset();
  };
  a->schedule(wheel, 20);
  b->schedule(wheel, 20);
  Probe witness(loop);
  witness.schedule(wheel, 60);
  // The one that fires destroys the other (and the destroyed entry leaves the wheel in its destructor).
  ASSERT_TRUE(run_until(loop, [&] { return !witness.fired_at.empty(); }));
  EXPECT_EQ(fired, 1);
  EXPECT_EQ(wheel.size(), 0u);
}

TEST(TimerWheel, DelaysBeyondOneRevolutionFireExactlyOnce) {
  // With 1 ms ticks the 256 slots cover 256 ms; these delays wrap the wheel once or twice.
  Loop loop;
  TimerWheel wheel(loop.get(), 1);
  std::vector<std::unique_ptr<Probe>> probes;
  for (std::uint64_t delay : {255u, 256u, 257u, 300u, 512u, 513u, 700u}) {
    probes.push_back(std::make_unique<Probe>(loop));
    probes.back()->schedule(wheel, delay);
  }
  EXPECT_EQ(wheel.size(), probes.size());
  Probe last(loop);
  last.schedule(wheel, 900);
  ASSERT_TRUE(run_until(loop, [&] { return !last.fired_at.empty(); }));
  for (auto& p : probes) {
    ASSERT_EQ(p->fired_at.size(), 1u) << "delay " << p->delay_ms;
    EXPECT_GE(p->fired_at[0] - p->scheduled_at, p->delay_ms);
  }
  // Scheduled together, they fire in the order of their delays.
  for (std::size_t i = 1; i < probes.size(); ++i)
    EXPECT_GE(probes[i]->fired_at[0], probes[i - 1]->fired_at[0]);
  EXPECT_EQ(wheel.size(), 0u);
}

TEST(TimerWheel, IdleWheelDoesNotKeepTheLoopAlive) {
  Loop loop;
  TimerWheel wheel(loop.get(), 5);
  Probe p(loop);
  p.schedule(wheel, 10'000);
  // Only the (unreferenced) wheel has work: the loop returns at once instead of waiting 10 s.
  EXPECT_EQ(loop.run(UV_RUN_DEFAULT), 0);
  EXPECT_TRUE(p.fired_at.empty());
  wheel.cancel(p.entry);
}

TEST(LoopTask, PostedTaskRunsOnceAndCancelledTaskDoesNot) {
  Loop loop;
  int ran = 0, cancelled_ran = 0;
  LoopTask task([](LoopTask& t) { ++*static_cast<int*>(t.context); }, &ran);
  LoopTask cancelled([](LoopTask& t) { ++*static_cast<int*>(t.context); }, &cancelled_ran);
  loop.post(task);
  loop.post(task);  // posting twice before it runs is one run
  loop.post(cancelled);
  EXPECT_TRUE(task.posted());
  loop.cancel(cancelled);
  EXPECT_FALSE(cancelled.posted());
  ASSERT_TRUE(run_until(loop, [&] { return ran > 0; }));
  EXPECT_EQ(ran, 1);
  EXPECT_EQ(cancelled_ran, 0);
  EXPECT_FALSE(task.posted());
}

TEST(LoopTask, TasksRunInPostOrderAndARepostWaitsForTheNextTurn) {
  Loop loop;
  std::vector<int> order;
  struct Ctx {
    std::vector<int>* order;
    int id;
    Loop* loop;
    int reposts;
  };
  Ctx c1{&order, 1, &loop, 2}, c2{&order, 2, &loop, 0};
  auto cb = [](LoopTask& t) {
    auto* c = static_cast<Ctx*>(t.context);
    c->order->push_back(c->id);
    if (c->reposts-- > 0) c->loop->post(t);
  };
  LoopTask t1(cb, &c1), t2(cb, &c2);
  loop.post(t1);
  loop.post(t2);
  ASSERT_TRUE(run_until(loop, [&] { return order.size() >= 4; }));
  EXPECT_EQ(order, (std::vector<int>{1, 2, 1, 1}));
}

}  // namespace
}  // namespace rtb::test
