// SharedBuffer: an immutable-once-published, reference-counted byte block, so one encoded event can be queued
// on many sockets without a copy per subscriber. Single-threaded by design (one loop owns it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string_view>
#include <utility>

namespace rtb {

class SharedBuffer {
 public:
  SharedBuffer() = default;
  SharedBuffer(const SharedBuffer& other) : block_(other.block_) { retain(); }
  SharedBuffer(SharedBuffer&& other) noexcept : block_(std::exchange(other.block_, nullptr)) {}
  SharedBuffer& operator=(SharedBuffer other) noexcept {
    std::swap(block_, other.block_);
    return *this;
  }
  ~SharedBuffer() { release(); }

  // Uninitialised storage of `capacity` bytes; size() starts equal to capacity (shrink with resize()).
  static SharedBuffer allocate(std::size_t capacity) {
    void* raw = std::malloc(sizeof(Block) + capacity);
    if (raw == nullptr) throw std::bad_alloc();
    SharedBuffer out;
    out.block_ = new (raw) Block{1, capacity, capacity};
    return out;
  }
  static SharedBuffer copy_of(std::string_view bytes) {
    SharedBuffer out = allocate(bytes.size());
    if (!bytes.empty()) std::memcpy(out.data(), bytes.data(), bytes.size());
    return out;
  }

  char* data() { return block_ ? block_->bytes() : nullptr; }
  const char* data() const { return block_ ? block_->bytes() : nullptr; }
  std::size_t size() const { return block_ ? block_->size : 0; }
  std::size_t capacity() const { return block_ ? block_->capacity : 0; }
  bool empty() const { return size() == 0; }
  explicit operator bool() const { return block_ != nullptr; }
  std::string_view view() const { return {data(), size()}; }
  std::uint32_t use_count() const { return block_ ? block_->refs : 0; }
  // Only while the buffer is still being filled (not yet shared): the size never exceeds capacity.
  void resize(std::size_t n) {
    if (block_ && n <= block_->capacity) block_->size = n;
  }

 private:
  struct Block {
    std::uint32_t refs;
    std::size_t size;
    std::size_t capacity;
    char* bytes() { return reinterpret_cast<char*>(this + 1); }
  };
  void retain() {
    if (block_) ++block_->refs;
  }
  void release() {
    if (block_ && --block_->refs == 0) {
      block_->~Block();
      std::free(block_);
    }
    block_ = nullptr;
  }
  Block* block_ = nullptr;
};

}  // namespace rtb
