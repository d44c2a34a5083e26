#include "transports/websocket/ws_reader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <ostream>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/websocket/ws_test_support.hpp"
#include "transports/websocket/ws_frame_encoder.hpp"

namespace rtb {
namespace {

using ws_test::bytes;
using ws_test::hex;
using ws_test::kBinary;
using ws_test::kClose;
using ws_test::kCont;
using ws_test::kFin;
using ws_test::kPing;
using ws_test::kPong;
using ws_test::kRfcKey;
using ws_test::kText;
using ws_test::raw_frame;

struct ReaderEvent {
  enum Kind { kMessage, kPing, kPong, kClose, kError };
  Kind kind;
  int value;  // the opcode of a message, the code of a close or error, else 0
  std::string payload;
  bool operator==(const ReaderEvent&) const = default;
};

std::ostream& operator<<(std::ostream& os, const ReaderEvent& e) {
  static const char* const kNames[] = {"message", "ping", "pong", "close", "error"};
  return os << kNames[e.kind] << "(" << e.value << ", [" << hex(e.payload) << "])";
}

ReaderEvent text(std::string s) {
  return {ReaderEvent::kMessage, 1, std::move(s)};
}
ReaderEvent binary(std::string s) {
  return {ReaderEvent::kMessage, 2, std::move(s)};
}
ReaderEvent ping(std::string s) {
  return {ReaderEvent::kPing, 0, std::move(s)};
}
ReaderEvent pong(std::string s) {
  return {ReaderEvent::kPong, 0, std::move(s)};
}
ReaderEvent close_event(int code, std::string reason) {
  return {ReaderEvent::kClose, code, std::move(reason)};
}
ReaderEvent error(int code) {
  return {ReaderEvent::kError, code, ""};
}

class Recorder : public WsReaderEvents {
 public:
  void on_ws_message(WsOpcode op, std::string_view payload) override {
    record({ReaderEvent::kMessage, static_cast<int>(op), std::string(payload)}, payload);
  }
  void on_ws_ping(std::string_view payload) override {
    record({ReaderEvent::kPing, 0, std::string(payload)}, payload);
  }
  void on_ws_pong(std::string_view payload) override {
    record({ReaderEvent::kPong, 0, std::string(payload)}, payload);
  }
  void on_ws_close(std::uint16_t code, std::string_view reason) override {
    record({ReaderEvent::kClose, code, std::string(reason)}, reason);
  }
  void on_ws_error(std::uint16_t close_code, std::string_view reason) override {
    EXPECT_FALSE(reason.empty());
    record({ReaderEvent::kError, close_code, ""}, {});
  }

  std::vector<ReaderEvent> events;
  std::vector<const char*> payload_data;  // where each delivered view pointed

 private:
  void record(ReaderEvent e, std::string_view view) {
    events.push_back(std::move(e));
    payload_data.push_back(view.data());
  }
};

struct RunResult {
  std::vector<ReaderEvent> events;
  bool last_feed = true;
  bool failed = false;
  bool closed = false;
  std::size_t buffered = 0;
};

// Feeds `input` in pieces of `chunk` bytes (0: all at once), stopping as soon as feed() says so.
RunResult run(WsRole role, std::string input, std::size_t chunk, WsLimits limits = {}) {
  Recorder rec;
  WsReader reader(role, limits, rec);
  RunResult r;
  if (chunk == 0) chunk = input.size();
  for (std::size_t pos = 0; pos < input.size(); pos += chunk) {
    const std::size_t n = std::min(chunk, input.size() - pos);
    r.last_feed = reader.feed(input.data() + pos, n);
    if (!r.last_feed) break;
  }
  r.events = rec.events;
  r.failed = reader.failed();
  r.closed = reader.closed();
  r.buffered = reader.buffered_bytes();
  return r;
}

struct ReaderCase {
  const char* name;
  WsRole role;
  std::string input;
  std::vector<ReaderEvent> expected;
  WsLimits limits = {};
};

// Every case must give exactly the same events however the input is cut into reads.
void expect_case(const ReaderCase& c) {
  const bool ends_with_error = !c.expected.empty() && c.expected.back().kind == ReaderEvent::kError;
  const bool ends_with_close = !c.expected.empty() && c.expected.back().kind == ReaderEvent::kClose;
  for (std::size_t chunk : {0u, 1u, 2u, 3u, 5u, 7u, 13u}) {
    const RunResult r = run(c.role, c.input, chunk, c.limits);
    EXPECT_EQ(r.events, c.expected) << c.name << " chunk=" << chunk;
    EXPECT_EQ(r.failed, ends_with_error) << c.name << " chunk=" << chunk;
    EXPECT_EQ(r.closed, ends_with_close) << c.name << " chunk=" << chunk;
    EXPECT_EQ(r.last_feed, !ends_with_error && !ends_with_close) << c.name << " chunk=" << chunk;
    if (!ends_with_error && !ends_with_close) {
      EXPECT_EQ(r.buffered, 0u) << c.name << " chunk=" << chunk;
    }
  }
}

std::string m(std::uint8_t b0, std::string_view payload) {
  return raw_frame(b0, payload, true);
}
std::string u(std::uint8_t b0, std::string_view payload) {
  return raw_frame(b0, payload, false);
}

std::string close_payload(int code, std::string_view reason) {
  return bytes({(code >> 8) & 0xFF, code & 0xFF}) + std::string(reason);
}

std::string binary_payload(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>(i * 7 + 3);
  return s;
}

// ---- RFC 6455 section 5.7 examples
// --------------------------------------------------------------------------

TEST(WsReader, RfcExamples) {
  const std::string payload256 = binary_payload(256);
  const std::string payload64k = binary_payload(65536);
  const std::vector<ReaderCase> cases = {
      {"unmasked text", WsRole::kClient, bytes({0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}), {text("Hello")}},
      {"masked text",
       WsRole::kServer,
       bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}),
       {text("Hello")}},
      {"fragmented",
       WsRole::kClient,
       bytes({0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f}),
       {text("Hello")}},
      {"unmasked ping", WsRole::kClient, bytes({0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}), {ping("Hello")}},
      {"masked pong",
       WsRole::kServer,
       bytes({0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}),
       {pong("Hello")}},
      {"256 bytes binary",
       WsRole::kClient,
       bytes({0x82, 0x7E, 0x01, 0x00}) + payload256,
       {binary(payload256)}},
      {"64KiB binary",
       WsRole::kClient,
       bytes({0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00}) + payload64k,
       {binary(payload64k)}},
  };
  for (const auto& c : cases) expect_case(c);
}

// ---- well-formed streams
// -------------------------------------------------------------------------------------

TEST(WsReader, ValidStreams) {
  const std::string big(70000, 'b');
  const std::vector<ReaderCase> cases = {
      {"two frames in one read",
       WsRole::kServer,
       m(kFin | kText, "one") + m(kFin | kBinary, "two"),
       {text("one"), binary("two")}},
      {"control frames between fragments",
       WsRole::kServer,
       m(kText, "He") + m(kFin | kPing, "p1") + m(kCont, "l") + m(kFin | kPong, "") + m(kFin | kCont, "lo"),
       {ping("p1"), pong(""), text("Hello")}},
      {"zero-length text", WsRole::kServer, m(kFin | kText, ""), {text("")}},
      {"zero-length binary", WsRole::kClient, u(kFin | kBinary, ""), {binary("")}},
      {"zero-length fragments",
       WsRole::kServer,
       m(kText, "") + m(kCont, "") + m(kFin | kCont, ""),
       {text("")}},
      {"zero-length first fragment", WsRole::kServer, m(kBinary, "") + m(kFin | kCont, "xy"), {binary("xy")}},
      {"zero-length ping and pong",
       WsRole::kServer,
       m(kFin | kPing, "") + m(kFin | kPong, ""),
       {ping(""), pong("")}},
      {"125-byte ping",
       WsRole::kServer,
       m(kFin | kPing, std::string(125, 'p')),
       {ping(std::string(125, 'p'))}},
      {"code point split across fragments",
       WsRole::kServer,
       m(kText, "\xCE") + m(kCont, "\xBA\xE1\xBD") + m(kFin | kCont, "\xB9\xCF\x83\xCE\xBC\xCE\xB5"),
       {text("\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5")}},
      {"utf-8 text",
       WsRole::kClient,
       u(kFin | kText, "Hello-\xC2\xB5@\xC3\x9F\xC3\xB6\xC3\xA4\xC3\xBC-UTF-8!!"),
       {text("Hello-\xC2\xB5@\xC3\x9F\xC3\xB6\xC3\xA4\xC3\xBC-UTF-8!!")}},
      {"binary is not checked as UTF-8",
       WsRole::kServer,
       m(kFin | kBinary, bytes({0xFF, 0xC0, 0xED, 0xA0})),
       {binary(bytes({0xFF, 0xC0, 0xED, 0xA0}))}},
      {"ping payload is not checked as UTF-8",
       WsRole::kServer,
       m(kFin | kPing, bytes({0xFF})),
       {ping(bytes({0xFF}))}},
      {"large fragmented binary",
       WsRole::kServer,
       m(kBinary, big.substr(0, 30000)) + m(kCont, big.substr(30000, 30000)) +
           m(kFin | kCont, big.substr(60000)),
       {binary(big)}},
      {"messages after a fragmented one",
       WsRole::kServer,
       m(kText, "a") + m(kFin | kCont, "b") + m(kFin | kText, "c") + m(kBinary, "d") + m(kFin | kCont, "e"),
       {text("ab"), text("c"), binary("de")}},
      {"message exactly at the limit",
       WsRole::kServer,
       m(kText, "12345") + m(kFin | kCont, "67890"),
       {text("1234567890")},
       WsLimits{10, 1024}},
      {"fragments exactly at the limit",
       WsRole::kServer,
       m(kText, "a") + m(kCont, "b") + m(kFin | kCont, "c"),
       {text("abc")},
       WsLimits{100, 3}},
  };
  for (const auto& c : cases) expect_case(c);
}

TEST(WsReader, CloseFrames) {
  const std::vector<ReaderCase> cases = {
      {"empty close", WsRole::kServer, m(kFin | kClose, ""), {close_event(0, "")}},
      {"close with code",
       WsRole::kServer,
       m(kFin | kClose, close_payload(1000, "")),
       {close_event(1000, "")}},
      {"close with reason",
       WsRole::kClient,
       u(kFin | kClose, close_payload(1001, "bye \xC2\xB5")),
       {close_event(1001, "bye \xC2\xB5")}},
      {"application code",
       WsRole::kServer,
       m(kFin | kClose, close_payload(4999, "")),
       {close_event(4999, "")}},
      {"registry code 1014",
       WsRole::kServer,
       m(kFin | kClose, close_payload(1014, "")),
       {close_event(1014, "")}},
      {"close between fragments",
       WsRole::kServer,
       m(kText, "ab") + m(kFin | kClose, close_payload(1000, "")),
       {close_event(1000, "")}},
      {"bytes after close are ignored",
       WsRole::kServer,
       m(kFin | kClose, close_payload(1000, "x")) + m(kFin | kText, "late") + bytes({0xFF}),
       {close_event(1000, "x")}},
  };
  for (const auto& c : cases) expect_case(c);
}

// ---- protocol errors and their close codes
// -------------------------------------------------------------------

TEST(WsReader, ErrorsMapToCloseCodes) {
  const std::uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
  const std::string k(reinterpret_cast<const char*>(key), 4);
  std::vector<ReaderCase> cases = {
      {"RSV1", WsRole::kServer, m(kFin | 0x40 | kText, "a"), {error(1002)}},
      {"RSV2", WsRole::kServer, m(kFin | 0x20 | kText, "a"), {error(1002)}},
      {"RSV3", WsRole::kServer, m(kFin | 0x10 | kBinary, "a"), {error(1002)}},
      {"RSV on a control frame", WsRole::kServer, m(kFin | 0x40 | kPing, ""), {error(1002)}},
      {"server role, unmasked frame", WsRole::kServer, u(kFin | kText, "a"), {error(1002)}},
      {"client role, masked frame", WsRole::kClient, m(kFin | kText, "a"), {error(1002)}},
      {"64-bit length with top bit",
       WsRole::kServer,
       bytes({0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0}) + k,
       {error(1002)}},
      {"non-minimal 16-bit length",
       WsRole::kServer,
       bytes({0x82, 0xFE, 0x00, 0x7D}) + k + std::string(125, 'x'),
       {error(1002)}},
      {"non-minimal 64-bit length",
       WsRole::kServer,
       bytes({0x82, 0xFF, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF}) + k,
       {error(1002)}},
      {"64-bit length 0", WsRole::kClient, bytes({0x82, 0x7F, 0, 0, 0, 0, 0, 0, 0, 0}), {error(1002)}},
      {"16-bit length 0", WsRole::kClient, bytes({0x82, 0x7E, 0, 0}), {error(1002)}},
      {"control payload 126", WsRole::kServer, m(kFin | kPing, std::string(126, 'p')), {error(1002)}},
      {"control payload 127 form", WsRole::kClient, u(kFin | kPong, std::string(70000, 'p')), {error(1002)}},
      {"fragmented ping", WsRole::kServer, m(kPing, "x"), {error(1002)}},
      {"fragmented close", WsRole::kServer, m(kClose, ""), {error(1002)}},
      {"continuation without a message", WsRole::kServer, m(kFin | kCont, "x"), {error(1002)}},
      {"non-final continuation without a message", WsRole::kServer, m(kCont, "x"), {error(1002)}},
      {"continuation after a finished message",
       WsRole::kServer,
       m(kFin | kText, "a") + m(kFin | kCont, "b"),
       {text("a"), error(1002)}},
      {"text inside a fragmented message",
       WsRole::kServer,
       m(kText, "a") + m(kFin | kText, "b"),
       {error(1002)}},
      {"binary inside a fragmented message",
       WsRole::kServer,
       m(kBinary, "a") + m(kBinary, "b"),
       {error(1002)}},
      {"frame over the message limit",
       WsRole::kServer,
       m(kFin | kBinary, std::string(11, 'x')),
       {error(1009)},
       WsLimits{10, 1024}},
      {"fragments over the message limit",
       WsRole::kServer,
       m(kText, "123456") + m(kFin | kCont, "78901"),
       {error(1009)},
       WsLimits{10, 1024}},
      {"too many fragments",
       WsRole::kServer,
       m(kText, "a") + m(kCont, "b") + m(kCont, "c") + m(kFin | kCont, "d"),
       {error(1009)},
       WsLimits{100, 3}},
      {"invalid UTF-8 text", WsRole::kServer, m(kFin | kText, "ab\xC0\x80"), {error(1007)}},
      {"surrogate in text", WsRole::kClient, u(kFin | kText, "\xED\xA0\x80"), {error(1007)}},
      {"text ends inside a code point", WsRole::kServer, m(kFin | kText, "a\xCE"), {error(1007)}},
      {"fragmented text ends inside a code point",
       WsRole::kServer,
       m(kText, "a\xE2\x82") + m(kFin | kCont, ""),
       {error(1007)}},
      {"invalid UTF-8 in a later fragment",
       WsRole::kServer,
       m(kText, "ok") + m(kFin | kCont, "\xF4\x90\x80\x80"),
       {error(1007)}},
      {"close with 1-byte payload", WsRole::kServer, m(kFin | kClose, "\x03"), {error(1002)}},
      {"close reason not UTF-8",
       WsRole::kServer,
       m(kFin | kClose, close_payload(1000, "\xFF")),
       {error(1007)}},
      {"close reason truncated UTF-8",
       WsRole::kClient,
       u(kFin | kClose, close_payload(1000, "\xC3")),
       {error(1007)}},
      {"ping before an error is delivered",
       WsRole::kServer,
       m(kFin | kPing, "x") + m(kFin | 0x40 | kText, ""),
       {ping("x"), error(1002)}},
      {"nothing is processed after an error",
       WsRole::kServer,
       m(kFin | 0x20 | kText, "") + m(kFin | kText, "never"),
       {error(1002)}},
  };
  for (int op : {3, 4, 5, 6, 7, 11, 12, 13, 14, 15}) {
    cases.push_back(
        {"reserved opcode", WsRole::kServer, m(static_cast<std::uint8_t>(kFin | op), "x"), {error(1002)}});
    cases.push_back(
        {"reserved opcode, no FIN", WsRole::kClient, u(static_cast<std::uint8_t>(op), ""), {error(1002)}});
  }
  for (int code : {0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535}) {
    cases.push_back(
        {"invalid close code", WsRole::kServer, m(kFin | kClose, close_payload(code, "")), {error(1002)}});
  }
  for (const auto& c : cases) expect_case(c);
}

// ---- fail fast
// -----------------------------------------------------------------------------------------------

TEST(WsReader, OversizedMessageIsRefusedFromTheHeaderAlone) {
  Recorder rec;
  WsReader reader(WsRole::kServer, WsLimits{1000, 16}, rec);
  // A 16-bit length of 1001 and the masking key, but none of the payload.
  std::string header =
      bytes({0x82, 0xFE, 0x03, 0xE9}) + std::string(reinterpret_cast<const char*>(kRfcKey), 4);
  EXPECT_FALSE(reader.feed(header.data(), header.size()));
  EXPECT_EQ(rec.events, std::vector<ReaderEvent>{error(1009)});
  EXPECT_TRUE(reader.failed());
}

TEST(WsReader, OversizedContinuationIsRefusedFromTheHeaderAlone) {
  Recorder rec;
  WsReader reader(WsRole::kClient, WsLimits{100, 16}, rec);
  std::string first = u(kText, std::string(60, 'a'));
  ASSERT_TRUE(reader.feed(first.data(), first.size()));
  std::string header = bytes({0x80, 0x29});  // 41 more bytes would make 101
  EXPECT_FALSE(reader.feed(header.data(), header.size()));
  EXPECT_EQ(rec.events, std::vector<ReaderEvent>{error(1009)});
}

TEST(WsReader, HugeDeclaredLengthIsRefusedWithoutAllocating) {
  Recorder rec;
  WsReader reader(WsRole::kClient, WsLimits{}, rec);
  std::string header = bytes({0x82, 0x7F, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00});  // 1 TiB
  EXPECT_FALSE(reader.feed(header.data(), header.size()));
  EXPECT_EQ(rec.events, std::vector<ReaderEvent>{error(1009)});
  EXPECT_EQ(reader.buffer_capacity(), 0u) << "no reassembly buffer was made";
}

TEST(WsReader, InvalidUtf8FailsBeforeTheFrameIsComplete) {
  Recorder rec;
  WsReader reader(WsRole::kServer, WsLimits{}, rec);
  // A 100-byte text frame of which only the header and "ab" + ED A0 arrive: a surrogate can never become
  // valid.
  std::string frame = m(kFin | kText, "ab\xED\xA0" + std::string(96, 'x'));
  EXPECT_TRUE(reader.feed(frame.data(), 6 + 3));
  EXPECT_TRUE(rec.events.empty());
  EXPECT_FALSE(reader.feed(frame.data() + 9, 1));
  EXPECT_EQ(rec.events, std::vector<ReaderEvent>{error(1007)});
}

TEST(WsReader, InvalidUtf8FailsBeforeTheLastFragment) {
  Recorder rec;
  WsReader reader(WsRole::kServer, WsLimits{}, rec);
  std::string first = m(kText, "fine ") + m(kCont, "\xF4\x90");
  EXPECT_FALSE(reader.feed(first.data(), first.size()));
  EXPECT_EQ(rec.events, std::vector<ReaderEvent>{error(1007)});
}

TEST(WsReader, FeedAfterErrorOrCloseReturnsFalseAndDeliversNothing) {
  Recorder rec;
  WsReader reader(WsRole::kServer, WsLimits{}, rec);
  std::string closing = m(kFin | kClose, close_payload(1000, ""));
  EXPECT_FALSE(reader.feed(closing.data(), closing.size()));
  EXPECT_TRUE(reader.closed());
  EXPECT_FALSE(reader.failed());
  std::string more = m(kFin | kText, "x");
  EXPECT_FALSE(reader.feed(more.data(), more.size()));
  EXPECT_FALSE(reader.feed(nullptr, 0));
  EXPECT_EQ(rec.events, std::vector<ReaderEvent>{close_event(1000, "")});
}

// ---- splitting and zero copy
// ---------------------------------------------------------------------------------

TEST(WsReader, SplitAtEveryPairOfBoundariesGivesIdenticalEvents) {
  const std::string input = m(kText, "\xCE\xBA\xE1") + m(kFin | kPing, "ping") +
                            m(kFin | kCont, "\xBD\xB9 ok") + m(kFin | kBinary, std::string(130, 'z')) +
                            m(kFin | kClose, close_payload(1000, "done"));
  const std::vector<ReaderEvent> expected = {ping("ping"), text("\xCE\xBA\xE1\xBD\xB9 ok"),
                                             binary(std::string(130, 'z')), close_event(1000, "done")};
  for (std::size_t i = 0; i <= input.size(); ++i) {
    for (std::size_t j = i; j <= input.size(); j += 5) {
      Recorder rec;
      WsReader reader(WsRole::kServer, WsLimits{}, rec);
      std::string copy = input;
      (void)(reader.feed(copy.data(), i) && reader.feed(copy.data() + i, j - i) &&
             reader.feed(copy.data() + j, copy.size() - j));
      ASSERT_EQ(rec.events, expected) << "splits " << i << "," << j;
    }
  }
}

TEST(WsReader, CompleteFrameIsDeliveredAsAViewIntoTheFedBuffer) {
  Recorder rec;
  WsReader reader(WsRole::kServer, WsLimits{}, rec);
  std::string input =
      m(kFin | kText, "zero copy") + m(kFin | kPing, "pp") + m(kFin | kBinary, std::string(300, 'b'));
  ASSERT_TRUE(reader.feed(input.data(), input.size()));
  ASSERT_EQ(rec.events.size(), 3u);
  EXPECT_EQ(rec.events[0], text("zero copy"));
  const char* begin = input.data();
  const char* end = input.data() + input.size();
  for (const char* p : rec.payload_data) {
    EXPECT_TRUE(p >= begin && p < end) << "payload was copied";
  }
  EXPECT_EQ(rec.payload_data[0], begin + 6);  // right after the 2-byte header and the key: unmasked in place
  EXPECT_EQ(std::string_view(begin + 6, 9), "zero copy");
  EXPECT_EQ(reader.buffer_capacity(), 0u) << "nothing was buffered, so no buffer was made";
}

TEST(WsReader, FrameWhoseHeaderCameEarlierIsStillZeroCopy) {
  Recorder rec;
  WsReader reader(WsRole::kClient, WsLimits{}, rec);
  std::string input = u(kFin | kBinary, "payload");
  ASSERT_TRUE(reader.feed(input.data(), 1));
  ASSERT_TRUE(reader.feed(input.data() + 1, input.size() - 1));
  ASSERT_EQ(rec.events, std::vector<ReaderEvent>{binary("payload")});
  EXPECT_EQ(rec.payload_data[0], input.data() + 2);
}

TEST(WsReader, SplitPayloadIsBufferedAndCounted) {
  Recorder rec;
  WsReader reader(WsRole::kServer, WsLimits{}, rec);
  std::string input = m(kFin | kText, "0123456789");
  ASSERT_TRUE(reader.feed(input.data(), 3));
  EXPECT_EQ(reader.buffered_bytes(), 3u);  // header bytes so far
  ASSERT_TRUE(reader.feed(input.data() + 3, 6));
  EXPECT_EQ(reader.buffered_bytes(), 3u);  // three payload bytes
  ASSERT_TRUE(reader.feed(input.data() + 9, input.size() - 9));
  EXPECT_EQ(rec.events, std::vector<ReaderEvent>{text("0123456789")});
  EXPECT_EQ(reader.buffered_bytes(), 0u);
}

TEST(WsReader, ReassemblyBufferIsKeptWhenSmallAndReleasedWhenLarge) {
  Recorder rec;
  WsReader reader(WsRole::kClient, WsLimits{}, rec);
  std::string small = u(kBinary, std::string(1000, 's')) + u(kFin | kCont, std::string(1000, 't'));
  ASSERT_TRUE(reader.feed(small.data(), small.size()));
  ASSERT_EQ(rec.events.size(), 1u);
  EXPECT_EQ(rec.events[0].payload.size(), 2000u);
  EXPECT_GE(reader.buffer_capacity(), 2000u);

  std::string large = u(kBinary, std::string(50000, 'l')) + u(kFin | kCont, std::string(50000, 'm'));
  ASSERT_TRUE(reader.feed(large.data(), large.size()));
  ASSERT_EQ(rec.events.size(), 2u);
  EXPECT_EQ(rec.events[1].payload.size(), 100000u);
  EXPECT_LE(reader.buffer_capacity(), WsReader::kKeepCapacity);
}

// ---- at rest, reset (what WsReaderPool relies on)
// ---------------------------------------------------------------

TEST(WsReader, IsAtRestOnlyBetweenFramesAndMessages) {
  Recorder rec;
  WsReader reader(WsRole::kServer, WsLimits{}, rec);
  EXPECT_TRUE(reader.at_rest()) << "new";
  std::string frame = m(kFin | kText, "whole");
  ASSERT_TRUE(reader.feed(frame.data(), frame.size()));
  EXPECT_TRUE(reader.at_rest()) << "after a whole frame";

  frame = m(kFin | kText, "split");
  ASSERT_TRUE(reader.feed(frame.data(), 1));
  EXPECT_FALSE(reader.at_rest()) << "one header byte read";
  ASSERT_TRUE(reader.feed(frame.data() + 1, 7));
  EXPECT_FALSE(reader.at_rest()) << "inside the payload";
  ASSERT_TRUE(reader.feed(frame.data() + 8, frame.size() - 8));
  EXPECT_TRUE(reader.at_rest()) << "after the split frame";

  std::string first = m(kText, "frag");
  ASSERT_TRUE(reader.feed(first.data(), first.size()));
  EXPECT_FALSE(reader.at_rest()) << "a fragmented message in progress";
  std::string ping_frame = m(kFin | kPing, "p");
  ASSERT_TRUE(reader.feed(ping_frame.data(), ping_frame.size()));
  EXPECT_FALSE(reader.at_rest()) << "a whole control frame between fragments";
  std::string last = m(kFin | kCont, "ment");
  ASSERT_TRUE(reader.feed(last.data(), last.size()));
  EXPECT_TRUE(reader.at_rest()) << "after the last fragment";

  ping_frame = m(kFin | kPing, "split ping");
  ASSERT_TRUE(reader.feed(ping_frame.data(), 8));
  EXPECT_FALSE(reader.at_rest()) << "a control frame split across reads";
  ASSERT_TRUE(reader.feed(ping_frame.data() + 8, ping_frame.size() - 8));
  EXPECT_TRUE(reader.at_rest());
  EXPECT_EQ(rec.events, (std::vector<ReaderEvent>{text("whole"), text("split"), ping("p"), text("fragment"),
                                                  ping("split ping")}));

  std::string bad = m(kFin | 0x03, "");  // reserved opcode
  EXPECT_FALSE(reader.feed(bad.data(), bad.size()));
  EXPECT_FALSE(reader.at_rest()) << "failed";

  Recorder rec2;
  WsReader closing(WsRole::kServer, WsLimits{}, rec2);
  std::string close_frame = m(kFin | kClose, close_payload(1000, ""));
  EXPECT_FALSE(closing.feed(close_frame.data(), close_frame.size()));
  EXPECT_FALSE(closing.at_rest()) << "closed";
}

TEST(WsReader, ResetForgetsEverythingButTheBufferAndPointsAtTheNewEvents) {
  // Every way a reader can be left in the middle of something; after reset() it reads like a new reader.
  const std::vector<std::pair<const char*, std::string>> dirty = {
      {"one header byte", m(kFin | kText, "x").substr(0, 1)},
      {"header without its key", m(kFin | kText, "x").substr(0, 4)},
      {"inside a payload", m(kFin | kText, "0123456789").substr(0, 9)},
      {"inside a fragmented text", m(kText, "\xCE")},
      {"split ping between fragments", m(kBinary, "a") + m(kFin | kPing, "ping").substr(0, 8)},
      {"failed", m(kFin | 0x03, "")},
      {"closed", m(kFin | kClose, close_payload(1000, ""))},
  };
  for (const auto& [name, input] : dirty) {
    SCOPED_TRACE(name);
    Recorder old_events;
    WsReader reader(WsRole::kServer, WsLimits{}, old_events);
    std::string copy = input;
    reader.feed(copy.data(), copy.size());
    ASSERT_FALSE(reader.at_rest());

    Recorder rec;
    reader.reset(WsRole::kServer, WsLimits{10, 4}, rec);
    EXPECT_TRUE(reader.at_rest());
    EXPECT_FALSE(reader.failed());
    EXPECT_FALSE(reader.closed());
    EXPECT_EQ(reader.buffered_bytes(), 0u);
    const std::size_t old_count = old_events.events.size();
    // A fresh text frame (a new message, valid UTF-8 from its first byte), then a continuation: a new reader
    // refuses it, having no message to continue.
    std::string fresh = m(kFin | kText, "fresh") + m(kFin | kCont, "x");
    EXPECT_FALSE(reader.feed(fresh.data(), fresh.size()));
    EXPECT_EQ(rec.events, (std::vector<ReaderEvent>{text("fresh"), error(1002)}));
    EXPECT_EQ(old_events.events.size(), old_count) << "the old events heard nothing more";
  }
}

TEST(WsReader, ResetTakesTheNewRoleAndLimits) {
  Recorder first;
  WsReader reader(WsRole::kServer, WsLimits{}, first);
  std::string big = m(kFin | kBinary, std::string(20, 'b'));
  ASSERT_TRUE(reader.feed(big.data(), big.size()));

  Recorder rec;
  reader.reset(WsRole::kServer, WsLimits{10, 4}, rec);
  big = m(kFin | kBinary, std::string(20, 'b'));
  EXPECT_FALSE(reader.feed(big.data(), big.size()));
  EXPECT_EQ(rec.events, std::vector<ReaderEvent>{error(1009)});

  Recorder client;
  reader.reset(WsRole::kClient, WsLimits{}, client);
  std::string masked = m(kFin | kText, "masked");
  EXPECT_FALSE(reader.feed(masked.data(), masked.size()));
  EXPECT_EQ(client.events, std::vector<ReaderEvent>{error(1002)}) << "a client reader refuses masked frames";
}

TEST(WsReader, ReleaseBufferAboveFreesOnlyALargerBuffer) {
  Recorder rec;
  WsReader reader(WsRole::kClient, WsLimits{}, rec);
  std::string msg = u(kBinary, std::string(1000, 's')) + u(kFin | kCont, std::string(1000, 't'));
  ASSERT_TRUE(reader.feed(msg.data(), msg.size()));
  const std::size_t capacity = reader.buffer_capacity();
  ASSERT_GE(capacity, 2000u);
  reader.release_buffer_above(capacity);
  EXPECT_EQ(reader.buffer_capacity(), capacity);
  reader.release_buffer_above(capacity - 1);
  EXPECT_EQ(reader.buffer_capacity(), 0u);
  msg = u(kBinary, "again ") + u(kFin | kCont, "and again");
  ASSERT_TRUE(reader.feed(msg.data(), msg.size()));
  EXPECT_EQ(rec.events.back(), binary("again and again"));
}

// ---- round trip with the encoder, randomised
// -----------------------------------------------------------------

TEST(WsReader, RandomStreamsFromTheEncoderRoundTripUnderRandomSplits) {
  std::mt19937 rng(12345);
  for (int round = 0; round < 200; ++round) {
    std::string wire;
    std::vector<ReaderEvent> expected;
    const int messages = 1 + static_cast<int>(rng() % 6);
    for (int i = 0; i < messages; ++i) {
      const bool is_text = rng() % 2 == 0;
      const std::size_t size = rng() % 4 == 0 ? rng() % 70000 : rng() % 300;
      std::string payload(size, '\0');
      for (auto& ch : payload) ch = is_text ? static_cast<char>('a' + rng() % 26) : static_cast<char>(rng());
      const int fragments = 1 + static_cast<int>(rng() % 4);
      std::size_t pos = 0;
      for (int f = 0; f < fragments; ++f) {
        const bool last = f == fragments - 1;
        const std::size_t n = last ? payload.size() - pos : rng() % (payload.size() - pos + 1);
        const WsOpcode op =
            f == 0 ? (is_text ? WsOpcode::kText : WsOpcode::kBinary) : WsOpcode::kContinuation;
        const std::uint8_t key[4] = {static_cast<std::uint8_t>(rng()), static_cast<std::uint8_t>(rng()),
                                     static_cast<std::uint8_t>(rng()), static_cast<std::uint8_t>(rng())};
        ws_append_client_frame(wire, op, std::string_view(payload).substr(pos, n), key, last);
        pos += n;
        if (last) expected.push_back(is_text ? text(payload) : binary(payload));
        if (rng() % 3 == 0) {
          ws_append_client_frame(wire, WsOpcode::kPing, std::to_string(round), key);
          expected.push_back(ping(std::to_string(round)));
        }
      }
    }
    Recorder rec;
    WsReader reader(WsRole::kServer, WsLimits{}, rec);
    std::size_t pos = 0;
    while (pos < wire.size()) {
      const std::size_t n = std::min<std::size_t>(wire.size() - pos, 1 + rng() % 2000);
      ASSERT_TRUE(reader.feed(wire.data() + pos, n)) << "round " << round;
      pos += n;
    }
    ASSERT_EQ(rec.events, expected) << "round " << round;
    ASSERT_EQ(reader.buffered_bytes(), 0u);
  }
}

TEST(WsReader, ServerEncoderOutputIsReadByTheClientRole) {
  Recorder rec;
  WsReader reader(WsRole::kClient, WsLimits{}, rec);
  for (std::size_t len : {0u, 1u, 125u, 126u, 65535u, 65536u, 100000u}) {
    const std::string payload(len, 'q');
    SharedBuffer frame = ws_encode_server_frame_parts(WsOpcode::kText, "9 ", payload);
    ASSERT_TRUE(reader.feed(frame.data(), frame.size()));
    ASSERT_EQ(rec.events.back(), text("9 " + payload));
  }
  SharedBuffer closing = ws_encode_close_frame(ws_close::kGoingAway, "shutting down");
  EXPECT_FALSE(reader.feed(closing.data(), closing.size()));
  EXPECT_EQ(rec.events.back(), close_event(1001, "shutting down"));
}

}  // namespace
}  // namespace rtb
