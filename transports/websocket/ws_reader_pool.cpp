#include "transports/websocket/ws_reader_pool.hpp"

namespace rtb {

std::unique_ptr<WsReader> WsReaderPool::take(WsRole role, WsLimits limits, WsReaderEvents& events) {
  ++lent_;
  if (spare_.empty()) return std::make_unique<WsReader>(role, limits, events);
  std::unique_ptr<WsReader> reader = std::move(spare_.back());
  spare_.pop_back();
  reader->reset(role, limits, events);
  return reader;
}

void WsReaderPool::give(std::unique_ptr<WsReader> reader) {
  if (!reader) return;
  --lent_;
  if (!reader->at_rest() || spare_.size() >= kMaxSpare) return;  // freed here
  reader->release_buffer_above(kMaxSpareBuffer);
  spare_.push_back(std::move(reader));
}

}  // namespace rtb
