// TransportSettings: each transport's own settings block (SseConfig, WsConfig, ...), keyed by its type, so
// the server's configuration carries every transport's knobs without naming any transport.
#pragma once

#include <map>
#include <memory>
#include <typeindex>

namespace rtb {

class TransportSettings {
 public:
  TransportSettings() = default;
  TransportSettings(const TransportSettings& other) { copy_from(other); }
  TransportSettings& operator=(const TransportSettings& other) {
    if (this != &other) copy_from(other);
    return *this;
  }
  TransportSettings(TransportSettings&&) noexcept = default;
  TransportSettings& operator=(TransportSettings&&) noexcept = default;

  // The block of type T, default-constructed on first use.
  template <typename T>
  T& get() {
    auto& slot = blocks_[std::type_index(typeid(T))];
    if (!slot) slot = std::make_unique<Block<T>>();
    return static_cast<Block<T>&>(*slot).value;
  }
  // The block of type T as set, or T's defaults when nobody set it.
  template <typename T>
  T get_or_default() const {
    auto it = blocks_.find(std::type_index(typeid(T)));
    return it == blocks_.end() ? T{} : static_cast<const Block<T>&>(*it->second).value;
  }

 private:
  struct BlockBase {
    virtual ~BlockBase() = default;
    virtual std::unique_ptr<BlockBase> clone() const = 0;
  };
  template <typename T>
  struct Block final : BlockBase {
    T value{};
    std::unique_ptr<BlockBase> clone() const override { return std::make_unique<Block<T>>(*this); }
  };
  // A copied server configuration must not share blocks with the original: deep copy.
  void copy_from(const TransportSettings& other) {
    blocks_.clear();
    for (const auto& [type, block] : other.blocks_) blocks_.emplace(type, block->clone());
  }

  std::map<std::type_index, std::unique_ptr<BlockBase>> blocks_;
};

}  // namespace rtb
