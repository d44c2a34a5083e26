// UvHandle: RAII ownership of a heap-allocated libuv handle that is freed only in its close callback.
#pragma once

#include <uv.h>

#include <memory>
#include <utility>

namespace rtb {

// libuv may still touch a handle after uv_close() until the close callback runs, so the handle's memory is
// released there, never in the owner's destructor. The owner may die first; the handle then frees itself.
template <typename Handle>
class UvHandle {
 public:
  UvHandle() : handle_(std::make_unique<Handle>().release()) {}
  UvHandle(const UvHandle&) = delete;
  UvHandle& operator=(const UvHandle&) = delete;
  UvHandle(UvHandle&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  ~UvHandle() { close(); }

  Handle* get() const { return handle_; }
  Handle* operator->() const { return handle_; }
  uv_handle_t* as_handle() const { return reinterpret_cast<uv_handle_t*>(handle_); }
  // Marks the handle as initialised; until then close() just frees the memory.
  void set_initialised() { initialised_ = true; }

  void close() {
    if (handle_ == nullptr) return;
    Handle* h = std::exchange(handle_, nullptr);
    if (!initialised_) {
      std::unique_ptr<Handle> free_now(h);
      return;
    }
    auto* as_base = reinterpret_cast<uv_handle_t*>(h);
    if (uv_is_closing(as_base)) return;
    as_base->data = nullptr;
    uv_close(as_base, [](uv_handle_t* closed) {
      std::unique_ptr<Handle> free_now(reinterpret_cast<Handle*>(closed));
    });
  }

 private:
  Handle* handle_;
  bool initialised_ = false;
};

}  // namespace rtb
