// RequestReader: what reading one request takes (the llhttp parser and the request's buffers), and the pool a
// server's connections borrow it from. A connection holds a reader only while a request is being read and
// dispatched; an idle keep-alive connection, a parked long poll, a stream and a WebSocket hold none, so their
// cost per connection does not include ~1.3 KB of parser and head buffer. Readers keep their buffers between
// requests, so a keep-alive request allocates nothing once the pool is warm.
#pragma once

#include <llhttp.h>

#include <cstddef>
#include <memory>
#include <vector>

#include "transports/http/http_request.hpp"

namespace rtb {

struct RequestReader {
  llhttp_t parser;
  HttpRequest request;
};

class RequestReaderPool {
 public:
  // Spare readers kept for reuse: enough for every request that one loop turn reads at once on a busy server;
  // a burst above it is freed again, so the pool's memory stays bounded.
  static constexpr std::size_t kMaxSpare = 256;

  RequestReaderPool() = default;
  RequestReaderPool(const RequestReaderPool&) = delete;
  RequestReaderPool& operator=(const RequestReaderPool&) = delete;

  // A reader whose parser the caller initialises; its request is cleared.
  std::unique_ptr<RequestReader> take();
  void give(std::unique_ptr<RequestReader> reader);

  std::size_t spare() const { return spare_.size(); }
  std::size_t lent() const { return lent_; }

 private:
  std::vector<std::unique_ptr<RequestReader>> spare_;
  std::size_t lent_ = 0;
};

}  // namespace rtb
