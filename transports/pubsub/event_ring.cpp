#include "transports/pubsub/event_ring.hpp"

namespace rtb {

Event& EventRing::push(std::uint64_t id) {
  last_id_ = id;
  if (size_ < slots_.size()) ++size_;
  Event& slot = slots_[(id - 1) % slots_.size()];
  slot.id = id;
  for (auto& e : slot.encoded) e = SharedBuffer();
  return slot;
}

}  // namespace rtb
