// Fuzzes WsReader (frame parser, unmasking, message assembly, UTF-8 checks, close codes) in both roles, fed
// in one piece, in input-chosen pieces and byte by byte, which must all give the same events.
//
// Input: bytes 0-2 place up to three cuts (fractions of the rest, in 256ths; equal cuts merge); the rest is
// the byte stream a peer sends after the handshake.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "transports/common/utf8_validator.hpp"
#include "transports/websocket/ws_frame.hpp"
#include "transports/websocket/ws_reader.hpp"

namespace rtb {
namespace {

// Small enough that short inputs declare too-big messages and too many fragments.
constexpr WsLimits kLimits{64 * 1024, 16};

[[noreturn]] void violation(const char* what) {
  std::fprintf(stderr, "ws_reader_fuzz: %s\n", what);
  std::abort();
}

// Checks each callback as it comes and writes it to a log that different splits of the input must reproduce.
class Recorder final : public WsReaderEvents {
 public:
  std::string log;

  void on_ws_message(WsOpcode op, std::string_view payload) override {
    enter();
    if (op != WsOpcode::kText && op != WsOpcode::kBinary)
      violation("message with a control or continuation op");
    if (op == WsOpcode::kText && !is_valid_utf8(payload)) violation("text message is not valid UTF-8");
    if (payload.size() > kLimits.max_message_bytes) violation("message above max_message_bytes");
    record(op == WsOpcode::kText ? 'T' : 'B', payload);
  }
  void on_ws_ping(std::string_view payload) override {
    enter();
    if (payload.size() > kWsMaxControlPayload) violation("ping payload above 125 bytes");
    record('P', payload);
  }
  void on_ws_pong(std::string_view payload) override {
    enter();
    if (payload.size() > kWsMaxControlPayload) violation("pong payload above 125 bytes");
    record('O', payload);
  }
  void on_ws_close(std::uint16_t code, std::string_view reason) override {
    enter();
    if (code == 0 ? !reason.empty() : !ws_close_code_is_valid_on_wire(code)) violation("bad close code");
    if (!is_valid_utf8(reason)) violation("close reason is not valid UTF-8");
    done_ = true;
    record('C', std::to_string(code) + ' ' + std::string(reason));
  }
  void on_ws_error(std::uint16_t close_code, std::string_view) override {
    enter();
    if (close_code != ws_close::kProtocolError && close_code != ws_close::kInvalidPayload &&
        close_code != ws_close::kMessageTooBig) {
      violation("error close code other than 1002, 1007, 1009");
    }
    done_ = true;
    // Only the code: the reason text may differ with the split (a whole frame is checked at once, pieces as
    // they come) while the verdict may not.
    record('E', std::to_string(close_code));
  }

 private:
  void enter() const {
    if (done_) violation("callback after the reader failed or closed");
  }
  void record(char kind, std::string_view payload) {
    log += kind;
    log += std::to_string(payload.size());
    log += ':';
    log.append(payload);
    log += '\n';
  }
  bool done_ = false;
};

// Feeds `stream` to a fresh reader cut at `cuts` (sorted offsets), each piece in its own exact-size heap
// block so AddressSanitizer sees any read past a piece; returns the event log.
std::string run(WsRole role, std::string_view stream, const std::vector<std::size_t>& cuts) {
  Recorder events;
  WsReader reader(role, kLimits, events);
  std::size_t begin = 0;
  for (std::size_t i = 0; i <= cuts.size(); ++i) {
    const std::size_t end = i < cuts.size() ? cuts[i] : stream.size();
    const std::size_t n = end - begin;
    auto piece = std::make_unique<char[]>(n == 0 ? 1 : n);
    std::copy_n(stream.data() + begin, n, piece.get());
    const bool was_done = reader.failed() || reader.closed();
    const std::size_t log_before = events.log.size();
    const bool more = reader.feed(piece.get(), n);
    if (more == (reader.failed() || reader.closed()))
      violation("feed() result disagrees with failed()/closed()");
    if (was_done && events.log.size() != log_before) violation("events after the reader stopped");
    if (reader.failed() && reader.closed()) violation("both failed and closed");
    if (reader.buffered_bytes() > kLimits.max_message_bytes + kWsMaxHeaderBytes + kWsMaxControlPayload)
      violation("buffered bytes above the message bound");
    begin = end;
  }
  return events.log;
}

void check_role(WsRole role, std::string_view stream, const std::vector<std::size_t>& cuts) {
  const std::string whole = run(role, stream, {});
  if (run(role, stream, cuts) != whole) violation("pieces and whole stream gave different events");
  std::vector<std::size_t> every_byte;
  for (std::size_t i = 1; i < stream.size(); ++i) every_byte.push_back(i);
  if (run(role, stream, every_byte) != whole)
    violation("byte-by-byte and whole stream gave different events");
}

}  // namespace
}  // namespace rtb

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const std::string_view stream(reinterpret_cast<const char*>(data) + 3, size - 3);
  std::vector<std::size_t> cuts;
  for (int i = 0; i < 3; ++i) cuts.push_back(stream.size() * data[i] / 256);
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  rtb::check_role(rtb::WsRole::kServer, stream, cuts);
  rtb::check_role(rtb::WsRole::kClient, stream, cuts);
  return 0;
}
