// Fuzzes HttpResponseParser (the client side of HTTP/1.1 over llhttp: heads, chunked and close-delimited
// bodies, HEAD answers, upgrades, byte accounting): whole, split and byte-by-byte input must agree.
//
// Input: byte 0 bit 0 says the first response answers a HEAD request; bytes 1-2 place two cuts (fractions of
// the rest, in 256ths); the rest is what a server sends.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "transports/http/http_response_parser.hpp"

namespace rtb {
namespace {

[[noreturn]] void violation(const char* what) {
  std::fprintf(stderr, "http_response_parser_fuzz: %s\n", what);
  std::abort();
}

class Recorder final : public HttpResponseEvents {
 public:
  std::string log;

  void on_response_head(const HttpResponseHead& head) override {
    flush_body();
    // llhttp 8.1 takes 0 to 3 digits ("HTTP/1.1 \r\n" is status 0), so only the upper bound is ours to check.
    if (head.status < 0 || head.status > 999) violation("status above 3 digits");
    log += "H " + std::to_string(head.status) + (head.keep_alive ? " keep\n" : " close\n");
    for (const auto& [name, value] : head.headers) log += "  " + name + ": " + value + '\n';
  }
  // Body pieces follow the input's cuts, so only the concatenation is compared.
  void on_response_body(std::string_view bytes) override { body_.append(bytes); }
  void on_response_complete(const HttpResponseHead& head) override {
    flush_body();
    log += "D " + std::to_string(head.status) + (head.keep_alive ? " keep\n" : " close\n");
  }
  void flush_body() {
    if (body_.empty()) return;
    log += "B " + std::to_string(body_.size()) + ':' + body_ + '\n';
    body_.clear();
  }

 private:
  std::string body_;
};

std::string run(std::string_view stream, const std::vector<std::size_t>& cuts, bool head_first) {
  Recorder events;
  HttpResponseParser parser(events);
  if (head_first) parser.expect_head_response();
  std::size_t begin = 0;
  std::uint64_t consumed = 0;
  for (std::size_t i = 0; i <= cuts.size(); ++i) {
    const std::size_t end = i < cuts.size() ? cuts[i] : stream.size();
    const std::size_t n = end - begin;
    // Its own exact-size heap block, so AddressSanitizer sees reads past the piece.
    auto piece = std::make_unique<char[]>(n == 0 ? 1 : n);
    std::copy_n(stream.data() + begin, n, piece.get());
    const bool stopped = parser.failed() || parser.upgraded();
    const std::size_t used = parser.feed(piece.get(), n);
    if (used > n) violation("consumed more than it was given");
    if (stopped && used != 0) violation("consumed bytes after failing or upgrading");
    if (used < n && !parser.failed() && !parser.upgraded())
      violation("left bytes without failing or upgrading");
    consumed += used;
    begin = end;
  }
  if (parser.total_head_bytes() + parser.total_body_bytes() != consumed)
    violation("head plus body bytes differ from bytes consumed");
  parser.finish();
  events.flush_body();
  events.log += parser.failed() ? "failed " : "ok ";
  events.log += parser.upgraded() ? "upgraded " : "";
  events.log += std::to_string(consumed) + ' ' + std::to_string(parser.total_head_bytes()) + ' ' +
                std::to_string(parser.total_body_bytes()) + ' ' + std::string(parser.error()) + '\n';
  return events.log;
}

}  // namespace
}  // namespace rtb

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const bool head_first = data[0] & 1;
  const std::string_view stream(reinterpret_cast<const char*>(data) + 3, size - 3);
  std::vector<std::size_t> cuts = {stream.size() * data[1] / 256, stream.size() * data[2] / 256};
  std::sort(cuts.begin(), cuts.end());
  std::vector<std::size_t> every_byte;
  for (std::size_t i = 1; i < stream.size(); ++i) every_byte.push_back(i);

  const std::string whole = rtb::run(stream, {}, head_first);
  if (rtb::run(stream, cuts, head_first) != whole) rtb::violation("split input gave different events");
  if (rtb::run(stream, every_byte, head_first) != whole) rtb::violation("byte-by-byte gave different events");
  return 0;
}
