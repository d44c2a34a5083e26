#include "transports/http/request_reader_pool.hpp"

namespace rtb {

std::unique_ptr<RequestReader> RequestReaderPool::take() {
  ++lent_;
  if (spare_.empty()) return std::make_unique<RequestReader>();
  std::unique_ptr<RequestReader> reader = std::move(spare_.back());
  spare_.pop_back();
  return reader;
}

void RequestReaderPool::give(std::unique_ptr<RequestReader> reader) {
  if (!reader) return;
  --lent_;
  if (spare_.size() >= kMaxSpare) return;  // freed here
  // A request that needed an unusual amount of memory (a large body, a long head) does not pin it.
  reader->request.clear();
  reader->request.shrink_to_typical();
  spare_.push_back(std::move(reader));
}

}  // namespace rtb
