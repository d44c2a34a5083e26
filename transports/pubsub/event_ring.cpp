#include "transports/pubsub/event_ring.hpp"

namespace rtb {

Event& EventRing::push(std::uint64_t id) {
  if (size_ != 0 && id != last_id_ + 1) {
    // Slots keep their buffers, which deliver() reuses; only the count of retained events restarts.
    size_ = 0;
  }
  last_id_ = id;
  if (size_ < slots_.size()) ++size_;
  Event& slot = slots_[(id - 1) % slots_.size()];
  slot.id = id;
  for (auto& e : slot.encoded) e = SharedBuffer();
  return slot;
}

}  // namespace rtb
