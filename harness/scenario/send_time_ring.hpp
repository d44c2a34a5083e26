// SendTimeRing: the send times of the operations in flight on one connection, oldest first, in storage sized
// once for the pipeline depth, so matching an in-order answer to its request costs no allocation.
#pragma once

#include <cstdint>
#include <vector>

namespace rtb {

class SendTimeRing {
 public:
  explicit SendTimeRing(std::uint32_t capacity) : times_(capacity == 0 ? 1 : capacity) {}

  std::uint32_t size() const { return size_; }
  bool full() const { return size_ == times_.size(); }
  bool empty() const { return size_ == 0; }
  // Callers keep size() below the capacity (the pipeline depth).
  void push(std::uint64_t ns) {
    times_[(head_ + size_) % times_.size()] = ns;
    ++size_;
  }
  std::uint64_t front() const { return times_[head_]; }
  std::uint64_t pop() {
    const std::uint64_t ns = times_[head_];
    head_ = (head_ + 1) % static_cast<std::uint32_t>(times_.size());
    --size_;
    return ns;
  }
  void clear() { head_ = size_ = 0; }

 private:
  std::vector<std::uint64_t> times_;
  std::uint32_t head_ = 0;
  std::uint32_t size_ = 0;
};

}  // namespace rtb
