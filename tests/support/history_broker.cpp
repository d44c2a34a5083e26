#include "tests/support/history_broker.hpp"

#include <utility>

namespace rtb::test {

HistoryBroker::HistoryBroker(Loop& loop, std::size_t capacity)
    : loop_(loop), capacity_(capacity == 0 ? 1 : capacity), late_timer_(&HistoryBroker::on_late, this) {}

void HistoryBroker::keep(Stream& stream, std::string_view data) {
  stream.events.emplace_back(++stream.last_id, std::string(data));
  if (stream.events.size() > capacity_) stream.events.pop_front();
}

void HistoryBroker::publish(std::string_view channel, std::string_view data, PublishDone done) {
  auto it = streams_.find(channel);
  if (it == streams_.end()) it = streams_.emplace(std::string(channel), Stream{}).first;
  keep(it->second, data);
  const std::uint64_t id = it->second.last_id;
  if (sink_ != nullptr) sink_->on_broker_event(channel, id, data);
  if (done) done(PublishOutcome{id, {}});
}

void HistoryBroker::seed(std::string_view channel, std::uint64_t count,
                         const std::function<std::string(std::uint64_t)>& text) {
  auto it = streams_.find(channel);
  if (it == streams_.end()) it = streams_.emplace(std::string(channel), Stream{}).first;
  for (std::uint64_t i = 0; i < count; ++i) keep(it->second, text(it->second.last_id + 1));
}

FetchResult HistoryBroker::read(const std::string& channel, std::uint64_t after, std::size_t max) const {
  FetchResult result;
  auto it = streams_.find(channel);
  if (it == streams_.end()) return result;
  const Stream& s = it->second;
  result.last_id = s.last_id;
  if (s.events.empty() || after >= s.last_id) return result;
  const std::uint64_t first = s.events.front().first;
  if (after + 1 < first) {
    result.gap_first = after + 1;
    result.gap_last = first - 1;
  }
  for (const auto& [id, data] : s.events) {
    if (id <= after) continue;
    if (result.events.size() == max) break;
    result.events.push_back(Event{id, 0, SharedBuffer::copy_of(data), {}});
  }
  return result;
}

void HistoryBroker::fetch(std::string_view channel, std::uint64_t after, std::size_t max, FetchDone done) {
  ++fetches;
  switch (answer) {
    case Answer::kAtOnce:
      done(read(std::string(channel), after, max));
      return;
    case Answer::kFail:
      done(FetchResult::failed("broker unavailable"));
      return;
    case Answer::kNever:
      never_.push_back(std::move(done));
      return;
    case Answer::kLate:
      held_.push_back(Held{std::string(channel), after, max, std::move(done)});
      if (late_ms != 0 && !late_timer_.scheduled()) loop_.timers().schedule(late_timer_, late_ms);
      return;
  }
}

void HistoryBroker::answer_held() {
  std::vector<Held> held = std::move(held_);
  held_.clear();
  for (Held& h : held) h.done(read(h.channel, h.after, h.max));
}

void HistoryBroker::on_late(TimerEntry& entry) {
  static_cast<HistoryBroker*>(entry.context)->answer_held();
}

}  // namespace rtb::test
