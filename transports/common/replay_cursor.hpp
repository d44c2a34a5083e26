// ReplayCursor: where one subscriber stands in a channel's history, and what it is owed next. Given a resume
// point it yields the retained events in id order, names once the ids history no longer holds (a gap), asks
// the broker for history older than this process's window (when the broker keeps any) and waits for it,
// bounded by the hub's fetch timeout, and says when it has caught up with live events. It never writes:
// the session writes what it yields, at the pace its socket drains.
//
// Use from a session (SSE, WebSocket, a stream; /poll and /longpoll go through respond_with_batch):
//
//   cursor_.start(channel, since, batch);  // or start_live(): new events only
//   channel.subscribe(*this);
//   pump();                        // also from on_session_drained() and on_replay_ready()
//
//   void pump() {                  // until the socket pushes back, the broker is asked, or caught up
//     for (;;) switch (cursor_.next()) {
//       case Step::kGap:   write gap(cursor_.gap_first(), cursor_.gap_last()); cursor_.pass(); break;
//       case Step::kEvent: { const Event& e = cursor_.event(); cursor_.pass(); write(e); break; }
//       default: return;           // kWait: on_replay_ready() comes back; kLive: on_hub_event() carries on
//     }                            // (and return when a write reports backpressure)
//   }
//   void on_hub_event(const Event& e) { if (cursor_.take_live(e)) write(e); }
#pragma once

#include <cstdint>

#include "transports/pubsub/hub.hpp"

namespace rtb {

class TimerEntry;

// Told when a cursor that answered kWait can go on (the broker answered, failed or timed out; give_up()), or
// when a live event showed a hole that the cursor must now replay (from inside take_live()). Never from
// inside next() or pass(), so a pump loop is not re-entered. The listener may destroy the cursor.
class ReplayListener {
 public:
  virtual void on_replay_ready() = 0;

 protected:
  ~ReplayListener() = default;
};

class ReplayCursor {
 public:
  enum class Step : std::uint8_t {
    kGap,    // ids [gap_first(), gap_last()] are lost: say so, then pass()
    kEvent,  // write event(), then pass()
    kWait,   // the broker is being asked; the listener hears when to call next() again
    kLive,   // caught up: the next event comes from the hub's fan-out (take_live)
  };

  explicit ReplayCursor(ReplayListener* listener = nullptr) : listener_(listener) {}
  ~ReplayCursor();
  // Hands a cursor (a waiting one too) to a new owner. The listener is not carried over: it belonged to the
  // old owner; the new one calls set_listener().
  ReplayCursor(ReplayCursor&& other) noexcept;
  ReplayCursor& operator=(ReplayCursor&&) = delete;
  ReplayCursor(const ReplayCursor&) = delete;
  ReplayCursor& operator=(const ReplayCursor&) = delete;
  void set_listener(ReplayListener* listener) { listener_ = listener; }

  // Replays every retained event with id > `after` (the last id the client holds; one beyond the newest
  // counts as the newest, the wire contract). `batch` bounds what one broker answer may hold; the hub's
  // timers and fetch timeout bound the wait for it. `channel` (and its hub) outlive the cursor.
  void start(const Channel& channel, std::uint64_t after, std::uint32_t batch);
  // Owes only events published from now on.
  void start_live(const Channel& channel);

  // What is owed next; the same answer until pass(). Never calls the listener.
  Step next();
  // After kGap.
  std::uint64_t gap_first() const { return next_; }
  std::uint64_t gap_last() const { return gap_last_; }
  // After kEvent: valid until the next call to next().
  const Event& event() const;
  // The gap or event that next() named has been written.
  void pass();

  // A live event from the fan-out: true when it is the one owed now (write it; the cursor has moved past
  // it). False when the replay has yet to reach it (it is in the window) or it was written already. A live
  // event beyond the one owed means ids went missing: the cursor turns back to replay and calls the listener.
  bool take_live(const Event& event);
  // A broker wait in progress ends now as if the broker had failed (shutdown): what it did not answer
  // becomes a gap. The listener is called.
  void give_up();

  bool started() const { return channel_ != nullptr; }
  const Channel* channel() const { return channel_; }
  // The last id written or passed over (the resume point a reconnect would use).
  std::uint64_t position() const { return next_ == 0 ? 0 : next_ - 1; }

 private:
  struct Fetch;
  // A counted reference to a Fetch: the cursor holds one, the broker's callback another (copyable, as
  // std::function needs), so a late answer still finds the Fetch and sees that the cursor has moved on.
  class FetchRef {
   public:
    FetchRef() = default;
    static FetchRef make(ReplayCursor* owner);
    FetchRef(const FetchRef& other);
    FetchRef(FetchRef&& other) noexcept : f_(other.f_) { other.f_ = nullptr; }
    FetchRef& operator=(const FetchRef&) = delete;
    FetchRef& operator=(FetchRef&& other) noexcept;
    ~FetchRef() { reset(); }
    void reset();
    Fetch* operator->() const { return f_; }
    Fetch& operator*() const { return *f_; }
    explicit operator bool() const { return f_ != nullptr; }

   private:
    Fetch* f_ = nullptr;
  };
  enum class State : std::uint8_t { kIdle, kReplay, kWait, kLive };

  void begin_fetch();
  // The cursor is done with fetch_ (used up, failed or the cursor goes): a late answer is dropped.
  void drop_fetch();
  void absorb(Fetch& fetch, FetchResult result);
  void fail(Fetch& fetch);
  void notify();
  // next() for events a broker answered; false when they are used up.
  bool next_fetched(Step& step);
  static void on_fetch_timeout(TimerEntry& entry);

  // One per idle SSE or WebSocket session: 48 bytes (the hub and its timers are reached through the channel).
  ReplayListener* listener_;
  const Channel* channel_ = nullptr;
  // A broker read: the one in flight, or the answer being written.
  FetchRef fetch_;
  std::uint64_t next_ = 0;      // the next id owed; 0: a live start before any event (the first one fixes it)
  std::uint64_t gap_last_ = 0;  // non-zero: [next_, gap_last_] is lost and not yet said
  std::uint32_t batch_ = 1;
  State state_ = State::kIdle;
  bool unverified_ = false;  // the window says nothing about the resume point: the broker must be asked
};

}  // namespace rtb
