// EventRing: the bounded history of one channel, addressable by event id.
#pragma once

#include <cstdint>
#include <vector>

#include "transports/pubsub/event.hpp"

namespace rtb {

class EventRing {
 public:
  explicit EventRing(std::size_t capacity) : slots_(capacity == 0 ? 1 : capacity) {}

  // Appends the event with this id, evicting the oldest when full. An id beyond last_id() + 1 (ids a remote
  // broker lost) empties the window first, so that what it holds stays consecutive; readers find the hole
  // before the new first id and name it.
  Event& push(std::uint64_t id);
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return slots_.size(); }
  bool empty() const { return size_ == 0; }
  // Ids of the oldest and newest retained events (0 when empty).
  std::uint64_t first_id() const { return size_ == 0 ? 0 : last_id_ - size_ + 1; }
  std::uint64_t last_id() const { return last_id_; }
  // The retained event with this id; the id must lie in [first_id(), last_id()].
  const Event& at(std::uint64_t id) const { return slots_[(id - 1) % slots_.size()]; }

 private:
  std::vector<Event> slots_;
  std::size_t size_ = 0;
  std::uint64_t last_id_ = 0;
};

}  // namespace rtb
