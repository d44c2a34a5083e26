// WsReaderPool: the frame readers a WebSocket server's sessions borrow, as HTTP connections borrow their
// request readers (RequestReaderPool). A session holds a reader only while a read is fed and while a frame or
// a message spans reads; between frames (an idle subscriber, a client whose messages each arrive in one read)
// it holds none, so its cost per connection includes neither the reader's 120 B nor a reassembly buffer.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "transports/websocket/ws_reader.hpp"

namespace rtb {

class WsReaderPool {
 public:
  // Spare readers kept for reuse: enough for every connection that one loop turn reads at once on a busy
  // server; a burst above it is freed again, so the pool's memory stays bounded.
  static constexpr std::size_t kMaxSpare = 256;
  // A reader may come back with a reassembly buffer of up to WsReader::kKeepCapacity; a spare one keeps at
  // most this much, so that a few large messages do not pin their memory in the pool.
  static constexpr std::size_t kMaxSpareBuffer = 4 * 1024;

  WsReaderPool() = default;
  WsReaderPool(const WsReaderPool&) = delete;
  WsReaderPool& operator=(const WsReaderPool&) = delete;

  // A reader in the state of a new one, reading for `events` with `limits`.
  std::unique_ptr<WsReader> take(WsRole role, WsLimits limits, WsReaderEvents& events);
  // Takes back a reader the caller is done with. Only a reader at rest is kept; one that failed, saw a close
  // frame or stopped inside a frame or message (its connection closed mid-frame) is freed, never lent again.
  // A spare reader still points at the events of its last borrower; take() points it at the next one.
  void give(std::unique_ptr<WsReader> reader);

  std::size_t spare() const { return spare_.size(); }
  std::size_t lent() const { return lent_; }

 private:
  std::vector<std::unique_ptr<WsReader>> spare_;
  std::size_t lent_ = 0;
};

}  // namespace rtb
