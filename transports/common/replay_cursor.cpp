#include "transports/common/replay_cursor.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "transports/net/timer_wheel.hpp"

namespace rtb {

// One broker read. Heap-allocated only while history beyond the window is in play, so an idle cursor costs
// no more than its pointers. Freed when neither the cursor nor the broker's callback holds it.
struct ReplayCursor::Fetch {
  explicit Fetch(ReplayCursor* o) : owner(o), timeout(&ReplayCursor::on_fetch_timeout, this) {}
  std::uint32_t refs = 1;  // FetchRefs held
  ReplayCursor* owner;     // null once the cursor moved on: a late answer is then dropped
  TimerEntry timeout;
  bool answered = false;
  bool in_call = false;  // inside broker.fetch(): an answer now needs no listener call
  std::vector<Event> events;
  std::size_t pos = 0;  // events[pos] is the next one to write
};

// Every idle SSE and WebSocket session holds one.
static_assert(sizeof(ReplayCursor) <= 48);

ReplayCursor::FetchRef ReplayCursor::FetchRef::make(ReplayCursor* owner) {
  FetchRef ref;
  ref.f_ = new Fetch(owner);  // refs = 1: this reference's
  return ref;
}

ReplayCursor::FetchRef::FetchRef(const FetchRef& other) : f_(other.f_) {
  if (f_ != nullptr) ++f_->refs;
}

ReplayCursor::FetchRef& ReplayCursor::FetchRef::operator=(FetchRef&& other) noexcept {
  if (this != &other) {
    reset();
    f_ = std::exchange(other.f_, nullptr);
  }
  return *this;
}

void ReplayCursor::FetchRef::reset() {
  Fetch* f = std::exchange(f_, nullptr);
  if (f != nullptr && --f->refs == 0) delete f;
}

ReplayCursor::~ReplayCursor() {
  drop_fetch();
}

void ReplayCursor::drop_fetch() {
  if (!fetch_) return;
  fetch_->owner = nullptr;
  if (fetch_->timeout.scheduled()) channel_->hub().timers()->cancel(fetch_->timeout);
  fetch_.reset();
}

ReplayCursor::ReplayCursor(ReplayCursor&& other) noexcept
    : listener_(nullptr),
      channel_(other.channel_),
      fetch_(std::move(other.fetch_)),
      next_(other.next_),
      gap_last_(other.gap_last_),
      batch_(other.batch_),
      state_(other.state_),
      unverified_(other.unverified_) {
  if (fetch_) fetch_->owner = this;
  other.channel_ = nullptr;
  other.state_ = State::kIdle;
}

void ReplayCursor::start(const Channel& channel, std::uint64_t after, std::uint32_t batch) {
  channel_ = &channel;
  batch_ = std::max<std::uint32_t>(batch, 1);
  state_ = State::kReplay;
  gap_last_ = 0;
  const std::uint64_t last = channel.last_id();
  // An empty window knows nothing of the channel's ids (this process may have just started): only a broker
  // that keeps history can say where the resume point stands.
  unverified_ = last == 0 && channel.hub().broker().keeps_history_beyond_window();
  next_ = (unverified_ ? after : std::min(after, last)) + 1;
}

void ReplayCursor::start_live(const Channel& channel) {
  channel_ = &channel;
  state_ = State::kLive;
  gap_last_ = 0;
  unverified_ = false;
  const std::uint64_t last = channel.last_id();
  // With an empty window and history elsewhere the live edge is unknown here: the first event fixes it.
  next_ = last == 0 && channel.hub().broker().keeps_history_beyond_window() ? 0 : last + 1;
}

ReplayCursor::Step ReplayCursor::next() {
  for (;;) {
    switch (state_) {
      case State::kIdle:
      case State::kLive:
        return Step::kLive;
      case State::kWait:
        return Step::kWait;
      case State::kReplay:
        break;
    }
    if (gap_last_ != 0) return Step::kGap;
    if (fetch_) {
      Step step = Step::kLive;
      if (next_fetched(step)) return step;
      drop_fetch();
    }
    const std::uint64_t last = channel_->last_id();
    if (next_ > last) {
      if (unverified_) {
        begin_fetch();
        continue;
      }
      state_ = State::kLive;
      return Step::kLive;
    }
    const std::uint64_t first = channel_->first_id();
    if (next_ >= first) return Step::kEvent;
    // Older than the window.
    if (channel_->hub().broker().keeps_history_beyond_window()) {
      begin_fetch();
      continue;
    }
    gap_last_ = first - 1;
    return Step::kGap;
  }
}

bool ReplayCursor::next_fetched(Step& step) {
  Fetch& f = *fetch_;
  // Ids already written (a broker may answer from an older point than asked) are passed over.
  while (f.pos < f.events.size() && f.events[f.pos].id < next_) ++f.pos;
  if (f.pos == f.events.size()) return false;
  const std::uint64_t id = f.events[f.pos].id;
  if (id > next_) {
    // A hole the broker did not name: said, not hidden.
    gap_last_ = id - 1;
    step = Step::kGap;
    return true;
  }
  step = Step::kEvent;
  return true;
}

const Event& ReplayCursor::event() const {
  if (fetch_ && fetch_->pos < fetch_->events.size()) return fetch_->events[fetch_->pos];
  return *channel_->retained(next_);
}

void ReplayCursor::pass() {
  if (gap_last_ != 0) {
    next_ = gap_last_ + 1;
    gap_last_ = 0;
    return;
  }
  if (fetch_ && fetch_->pos < fetch_->events.size()) ++fetch_->pos;
  ++next_;
}

bool ReplayCursor::take_live(const Event& event) {
  if (state_ == State::kReplay && gap_last_ == 0 && !fetch_ && !unverified_ && event.id == next_) {
    // The replay had just caught up (it stopped on backpressure at the newest id): this one is live.
    state_ = State::kLive;
  }
  if (state_ != State::kLive) return false;
  if (next_ == 0) next_ = event.id;  // a live start before any event: this one fixes the edge
  if (event.id < next_) return false;
  if (event.id > next_) {
    // Ids went missing between the cursor and this event (a broker failure left the edge unknown): replay
    // them from the window or the broker, which names what is gone.
    state_ = State::kReplay;
    notify();
    return false;
  }
  ++next_;
  return true;
}

void ReplayCursor::begin_fetch() {
  state_ = State::kWait;
  drop_fetch();
  fetch_ = FetchRef::make(this);
  // Held for this whole call: an answer inside fetch() may end in the listener destroying the cursor.
  const FetchRef held(fetch_);
  Fetch& fetch = *held;
  fetch.in_call = true;
  Hub& hub = channel_->hub();
  hub.broker().fetch(channel_->name(), next_ - 1, batch_, [ref = FetchRef(fetch_)](FetchResult result) {
    Fetch& f = *ref;
    if (f.owner == nullptr || f.answered) return;
    f.owner->absorb(f, std::move(result));
  });
  fetch.in_call = false;
  if (!fetch.answered && fetch.owner != nullptr)
    hub.timers()->schedule(fetch.timeout, hub.config().fetch_timeout_ms);
}

void ReplayCursor::absorb(Fetch& fetch, FetchResult result) {
  fetch.answered = true;
  channel_->hub().timers()->cancel(fetch.timeout);
  if (!result.ok()) {
    fail(fetch);
    return;
  }
  state_ = State::kReplay;
  if (result.gap_first != 0 && result.gap_last >= next_) gap_last_ = result.gap_last;
  // Ids already written (a broker may answer from an older point than asked) are dropped; the rest is
  // bounded: a broker that sends more than asked gets asked again for the remainder.
  const std::uint64_t from = gap_last_ != 0 ? gap_last_ + 1 : next_;
  std::vector<Event>& events = result.events;
  events.erase(events.begin(),
               std::find_if(events.begin(), events.end(), [from](const Event& e) { return e.id >= from; }));
  if (events.size() > batch_) events.resize(batch_);
  fetch.events = std::move(events);
  fetch.pos = 0;
  const std::uint64_t window_last = channel_->last_id();
  if (fetch.events.empty() && gap_last_ == 0) {
    // The broker has nothing after the resume point.
    const std::uint64_t first = channel_->first_id();
    if (next_ > std::max(result.last_id, window_last) + 1) {
      next_ = std::max(result.last_id, window_last) + 1;  // beyond the newest: the newest (the wire contract)
    } else if (first != 0 && next_ < first) {
      gap_last_ = first - 1;  // neither the broker nor the window holds them: lost, and said so
    } else if (next_ > window_last && next_ <= result.last_id) {
      gap_last_ = result.last_id;  // the broker counts them yet returns none: lost as far as anyone can tell
    }
  }
  // The broker knows ids beyond this answer that the window does not have (a worker that just started): they
  // are asked for once the answer is written.
  const std::uint64_t reached =
      !fetch.events.empty() ? fetch.events.back().id : (gap_last_ != 0 ? gap_last_ : next_ - 1);
  unverified_ = result.last_id > std::max(reached, window_last);
  const bool in_call = fetch.in_call;
  if (fetch.events.empty()) drop_fetch();  // `fetch` lives on: the broker callback holds it
  if (!in_call) notify();
}

void ReplayCursor::fail(Fetch& fetch) {
  const bool in_call = fetch.in_call;
  drop_fetch();  // `fetch` may be freed: only in_call was needed
  state_ = State::kReplay;
  unverified_ = false;
  // What the window does not reach is named now. With an empty window the lost ids are unknown until an
  // event arrives: take_live() sees the hole then and asks again (or names it).
  const std::uint64_t first = channel_->first_id();
  if (first != 0 && next_ < first) {
    gap_last_ = first - 1;
  } else if (first == 0) {
    state_ = State::kLive;
  }
  if (!in_call) notify();
}

void ReplayCursor::give_up() {
  if (state_ != State::kWait || !fetch_) return;
  Fetch& fetch = *fetch_;
  fetch.answered = true;
  channel_->hub().timers()->cancel(fetch.timeout);
  fetch.owner = nullptr;
  fail(fetch);
}

void ReplayCursor::on_fetch_timeout(TimerEntry& entry) {
  auto& fetch = *static_cast<Fetch*>(entry.context);
  if (fetch.owner == nullptr || fetch.answered) return;
  fetch.owner->give_up();
}

void ReplayCursor::notify() {
  if (listener_ != nullptr) listener_->on_replay_ready();
}

}  // namespace rtb
