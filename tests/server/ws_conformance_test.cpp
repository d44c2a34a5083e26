// WebSocket conformance against /echo over real sockets, written from RFC 6455 and the Autobahn|TestSuite
// case families: 1 framing, 2 ping/pong, 3 reserved bits, 4 opcodes, 5 fragmentation, 6 UTF-8, 7 close
// handling, 9 limits, 10 handshake and misc. Every case asserts the exact frames and close codes the server
// sends.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "tests/server/push_test_util.hpp"
#include "tests/server/server_test_util.hpp"
#include "tests/server/ws_test_client.hpp"
#include "transports/websocket/websocket_transport.hpp"

namespace rtb::test {
namespace {

using namespace ws_b0;

ServerConfig conformance_config() {
  ServerConfig config = TestServer::default_config();
  config.transports.get<WsConfig>().ping_interval_ms = 0;  // no keepalive pings in the middle of exact frame sequences
  return config;
}

class WsConformance : public ::testing::Test {
 protected:
  WsConformance() : server_(conformance_config()) {}
  int port() const { return server_.port(); }
  TestServer server_;
};

std::string pattern(std::size_t len, bool binary) {
  std::string s(len, '\0');
  for (std::size_t i = 0; i < len; ++i)
    s[i] = binary ? static_cast<char>((i * 7 + 3) & 0xFF) : static_cast<char>('a' + i % 26);
  return s;
}

std::size_t expected_header_size(std::size_t len) {
  return len < 126 ? 2 : len <= 0xFFFF ? 4 : 10;
}

// The whole exchange of a case that must fail the connection: exactly `echoes` (in order), then the close
// with `code`, then TCP closed with nothing more.
void expect_fail(WsTestClient& c, int code, const std::vector<std::string>& echoes = {}) {
  std::vector<WsFrame> before;
  EXPECT_EQ(c.read_close_code(&before), code);
  ASSERT_EQ(before.size(), echoes.size());
  for (std::size_t i = 0; i < echoes.size(); ++i) EXPECT_EQ(before[i].payload, echoes[i]);
  EXPECT_TRUE(c.closed_with_nothing_more());
}

void expect_echo(WsTestClient& c, std::uint8_t opcode, std::string_view payload) {
  auto f = c.read_frame();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->b0, kFin | opcode);
  EXPECT_FALSE(f->masked);
  EXPECT_EQ(f->payload.size(), payload.size());
  EXPECT_TRUE(f->payload == payload);
}

// --- Family 1: framing ------------------------------------------------------------------------------------

TEST_F(WsConformance, F1_TextAndBinaryOfEveryLengthEncodingEchoExactly) {
  for (bool binary : {false, true}) {
    for (bool chunked : {false, true}) {
      WsTestClient c(port());
      ASSERT_TRUE(c.upgraded());
      for (std::size_t len : {0, 125, 126, 127, 128, 65535, 65536}) {
        SCOPED_TRACE(testing::Message()
                     << (binary ? "binary " : "text ") << len << (chunked ? " chunked" : ""));
        const std::uint8_t op = binary ? kBinary : kText;
        const std::string payload = pattern(len, binary);
        const std::string bytes = c.frame(kFin | op, payload);
        ASSERT_TRUE(chunked ? c.send_in_chunks(bytes) : c.send_raw(bytes));
        auto f = c.read_frame();
        ASSERT_TRUE(f);
        EXPECT_EQ(f->b0, kFin | op);
        EXPECT_FALSE(f->masked);
        EXPECT_EQ(f->header_size, expected_header_size(len));  // minimal length encoding
        EXPECT_TRUE(f->payload == payload);
      }
      EXPECT_TRUE(c.close_cleanly());
    }
  }
}

TEST_F(WsConformance, F1_ManyMessagesInOneWriteEchoInOrder) {
  WsTestClient c(port());
  ASSERT_TRUE(c.upgraded());
  std::string batch;
  for (int i = 0; i < 100; ++i) batch += c.frame(kFin | kText, "message " + std::to_string(i));
  ASSERT_TRUE(c.send_raw(batch));
  for (int i = 0; i < 100; ++i) expect_echo(c, kText, "message " + std::to_string(i));
  EXPECT_TRUE(c.close_cleanly());
}

// --- Family 2: ping/pong ----------------------------------------------------------------------------------

TEST_F(WsConformance, F2_PingIsAnsweredWithPongCarryingTheSamePayload) {
  WsTestClient c(port());
  ASSERT_TRUE(c.upgraded());
  for (const std::string& payload :
       {std::string(), std::string("Hello, world!"), pattern(125, true), pattern(125, false)}) {
    ASSERT_TRUE(c.send_frame(kFin | kPing, payload));
    expect_echo(c, kPong, payload);
  }
  // A ping cut into 1-byte writes (2.8-like).
  ASSERT_TRUE(c.send_in_chunks(c.frame(kFin | kPing, "chopped ping"), {1}));
  expect_echo(c, kPong, "chopped ping");
  EXPECT_TRUE(c.close_cleanly());
}

TEST_F(WsConformance, F2_PingWith126BytesFailsWith1002) {
  WsTestClient c(port());
  ASSERT_TRUE(c.upgraded());
  ASSERT_TRUE(c.send_frame(kFin | kPing, pattern(126, true)));
  expect_fail(c, 1002);
}

TEST_F(WsConformance, F2_UnsolicitedPongIsIgnored) {
  WsTestClient c(port());
  ASSERT_TRUE(c.upgraded());
  ASSERT_TRUE(c.send_raw(c.frame(kFin | kPong, "unsolicited") + c.frame(kFin | kPong, "") +
                         c.frame(kFin | kText, "after pongs")));
  expect_echo(c, kText, "after pongs");  // the first frame back: nothing answered the pongs
  // An unsolicited pong followed by a ping: only the ping is answered.
  ASSERT_TRUE(c.send_raw(c.frame(kFin | kPong, "x") + c.frame(kFin | kPing, "y")));
  expect_echo(c, kPong, "y");
  EXPECT_TRUE(c.close_cleanly());
}

TEST_F(WsConformance, F2_TenPingsInARowAreAnsweredInOrder) {
  WsTestClient c(port());
  ASSERT_TRUE(c.upgraded());
  std::string batch;
  for (int i = 0; i < 10; ++i) batch += c.frame(kFin | kPing, "ping " + std::to_string(i));
  ASSERT_TRUE(c.send_raw(batch));
  for (int i = 0; i < 10; ++i) expect_echo(c, kPong, "ping " + std::to_string(i));
  // The same with a write per ping (2.11-like).
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(c.send_frame(kFin | kPing, "slow " + std::to_string(i)));
  for (int i = 0; i < 10; ++i) expect_echo(c, kPong, "slow " + std::to_string(i));
  EXPECT_TRUE(c.close_cleanly());
}

// --- Family 3: reserved bits ------------------------------------------------------------------------------

TEST_F(WsConformance, F3_AnyReservedBitFailsWith1002AfterEarlierEchoes) {
  const std::uint8_t ops[] = {kText, kText, kText, kText, kBinary, kPing, kClose};
  for (int rsv = 1; rsv <= 7; ++rsv) {
    SCOPED_TRACE(testing::Message() << "rsv " << rsv);
    WsTestClient c(port());
    ASSERT_TRUE(c.upgraded());
    // A good message, the bad frame and a ping in one write: the echo comes, the ping is never answered.
    const auto bad = static_cast<std::uint8_t>(kFin | (rsv << 4) | ops[rsv - 1]);
    const std::string bad_payload = ops[rsv - 1] == kClose ? ws_close_payload(1000) : "bad";
    ASSERT_TRUE(c.send_raw(c.frame(kFin | kText, "Hello, world!") + c.frame(bad, bad_payload) +
                           c.frame(kFin | kPing, "never answered")));
    expect_fail(c, 1002, {"Hello, world!"});
  }
}

TEST_F(WsConformance, F3_ReservedBitOnAFrameSentAfterTheEchoArrived) {
  WsTestClient c(port());
  ASSERT_TRUE(c.upgraded());
  ASSERT_TRUE(c.send_frame(kFin | kText, "first"));
  expect_echo(c, kText, "first");
  // The server fails the connection after the first byte, so later pieces may meet a closed socket.
  (void)c.send_in_chunks(c.frame(kFin | kRsv1 | kText, "second"), {1});
  expect_fail(c, 1002);
}

// --- Family 4: opcodes ------------------------------------------------------------------------------------

TEST_F(WsConformance, F4_ReservedOpcodesFailWith1002) {
  for (std::uint8_t op : {3, 4, 5, 6, 7, 11, 12, 13, 14, 15}) {
    SCOPED_TRACE(testing::Message() << "opcode " << int(op));
    WsTestClient c(port());
    ASSERT_TRUE(c.upgraded());
    ASSERT_TRUE(c.send_raw(c.frame(kFin | kText, "before") + c.frame(kFin | op, op % 2 ? "" : "payload") +
                           c.frame(kFin | kPing, "never answered")));
    expect_fail(c, 1002, {"before"});
  }
}

// --- Family 5: fragmentation ------------------------------------------------------------------------------

TEST_F(WsConformance, F5_FragmentedControlFramesFailWith1002) {
  for (std::uint8_t op : {kPing, kPong, kClose}) {
    SCOPED_TRACE(testing::Message() << "opcode " << int(op));
    WsTestClient c(port());
    ASSERT_TRUE(c.upgraded());
    ASSERT_TRUE(c.send_raw(c.frame(op, op == kClose ? ws_close_payload(1000) : "fragment1") +
                           c.frame(kFin | kCont, "fragment2")));
    expect_fail(c, 1002);
  }
}

TEST_F(WsConformance, F5_FragmentedMessagesAreEchoedAsOneMessage) {
  for (bool chunked : {false, true}) {
    SCOPED_TRACE(chunked ? "chunked" : "one write");
    WsTestClient c(port());
    ASSERT_TRUE(c.upgraded());
    const std::string text = c.frame(kText, "fragment1") + c.frame(kFin | kCont, "fragment2");
    ASSERT_TRUE(chunked ? c.send_in_chunks(text) : c.send_raw(text));
    expect_echo(c, kText, "fragment1fragment2");
    const std::string bin = c.frame(kBinary, pattern(300, true)) + c.frame(kCont, "") +
                            c.frame(kCont, pattern(70000, true)) + c.frame(kFin | kCont, "\x01");
    ASSERT_TRUE(chunked ? c.send_in_chunks(bin) : c.send_raw(bin));
    expect_echo(c, kBinary, pattern(300, true) + pattern(70000, true) + "\x01");
    // 100 one-byte fragments.
    std::string many = c.frame(kText, "0");
    std::string whole = "0";
    for (int i = 1; i < 100; ++i) {
      const std::string piece(1, static_cast<char>('0' + i % 10));
      many += c.frame(i == 99 ? kFin | kCont : kCont, piece);
      whole += piece;
    }
    ASSERT_TRUE(c.send_raw(many));
    expect_echo(c, kText, whole);
    EXPECT_TRUE(c.close_cleanly());
  }
}

TEST_F(WsConformance, F5_PingsBetweenFragmentsAreAnsweredFirst) {
  for (bool chunked : {false, true}) {
    SCOPED_TRACE(chunked ? "chunked" : "one write");
    WsTestClient c(port());
    ASSERT_TRUE(c.upgraded());
    std::string bytes = c.frame(kText, "fragment1") + c.frame(kFin | kPing, "ping 1") +
                        c.frame(kCont, "fragment2") + c.frame(kFin | kPing, "ping 2") +
                        c.frame(kFin | kPong, "unsolicited") + c.frame(kFin | kCont, "fragment3");
    ASSERT_TRUE(chunked ? c.send_in_chunks(bytes) : c.send_raw(bytes));
    expect_echo(c, kPong, "ping 1");
    expect_echo(c, kPong, "ping 2");
    expect_echo(c, kText, "fragment1fragment2fragment3");
    EXPECT_TRUE(c.close_cleanly());
  }
}

TEST_F(WsConformance, F5_ContinuationWithoutAStartFailsWith1002) {
  for (std::uint8_t b0 : {std::uint8_t(kFin | kCont), std::uint8_t(kCont)}) {
    for (bool chunked : {false, true}) {
      SCOPED_TRACE(testing::Message() << "fin " << bool(b0 & kFin) << (chunked ? " chunked" : ""));
      WsTestClient c(port());
      ASSERT_TRUE(c.upgraded());
      const std::string bytes =
          c.frame(b0, "non-continuation payload") + c.frame(kFin | kText, "Hello, world!");
      // Refused at the first byte: later chunks may meet a closed socket.
      (void)(chunked ? c.send_in_chunks(bytes) : c.send_raw(bytes));
      expect_fail(c, 1002);
    }
  }
}

TEST_F(WsConformance, F5_ContinuationAfterACompletedMessageFailsWith1002) {
  // 5.15-like: a finished fragmented message (echoed), then a continuation with nothing to continue.
  WsTestClient c(port());
  ASSERT_TRUE(c.upgraded());
  ASSERT_TRUE(c.send_raw(c.frame(kText, "fragment1") + c.frame(kFin | kCont, "fragment2") +
                         c.frame(kCont, "fragment3") + c.frame(kFin | kText, "fragment4")));
  expect_fail(c, 1002, {"fragment1fragment2"});
}

TEST_F(WsConformance, F5_NewMessageInsideAFragmentedMessageFailsWith1002) {
  for (std::uint8_t second :
       {std::uint8_t(kText), std::uint8_t(kFin | kText), std::uint8_t(kFin | kBinary)}) {
    SCOPED_TRACE(testing::Message() << "second b0 " << int(second));
    WsTestClient c(port());
    ASSERT_TRUE(c.upgraded());
    ASSERT_TRUE(c.send_raw(c.frame(kText, "fragment1") + c.frame(second, "fragment2") +
                           c.frame(kFin | kCont, "fragment3")));
    expect_fail(c, 1002);
  }
}

// --- Family 6: UTF-8 --------------------------------------------------------------------------------------

const std::string kValidTexts[] = {
    "Hello-\xC2\xB5@\xC3\x9F\xC3\xB6\xC3\xA4\xC3\xBC\xC3\xA0\xC3\xA1-UTF-8!!",  // 6.2: Latin-1 supplement
    "\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5",                             // 6.5: "kosme" in Greek
    "\xF0\x9D\x84\x9E \xF0\x9F\x98\x80",                                        // 4-byte sequences
    "\x7F \xDF\xBF \xEF\xBF\xBF \xF4\x8F\xBF\xBF",  // last 1/2/3/4-byte code points, U+10FFFF included
    "\xEE\x80\x80 \xEF\xBF\xBD",                    // around the surrogates: U+E000, U+FFFD
};

TEST_F(WsConformance, F6_ValidUtf8IsEchoedWholeOrSplitAtEveryByteAcrossFragments) {
  WsTestClient c(port());
  ASSERT_TRUE(c.upgraded());
  for (const std::string& text : kValidTexts) {
    ASSERT_TRUE(c.send_frame(kFin | kText, text));
    expect_echo(c, kText, text);
    // Two fragments split at every byte, code points cut in the middle included.
    for (std::size_t cut = 1; cut < text.size(); ++cut) {
      SCOPED_TRACE(testing::Message() << "cut at " << cut);
      ASSERT_TRUE(c.send_raw(c.frame(kText, text.substr(0, cut)) + c.frame(kFin | kCont, text.substr(cut))));
      expect_echo(c, kText, text);
    }
    // One fragment per byte (6.2.4-like).
    std::string frames;
    for (std::size_t i = 0; i < text.size(); ++i)
      frames +=
          c.frame(static_cast<std::uint8_t>((i == 0 ? kText : kCont) | (i + 1 == text.size() ? kFin : 0)),
                  text.substr(i, 1));
    ASSERT_TRUE(c.send_raw(frames));
    expect_echo(c, kText, text);
  }
  EXPECT_TRUE(c.close_cleanly());
}

const std::string kInvalidTexts[] = {
    "\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5\xED\xA0\x80\x65\x64\x69\x74\x65\x64",  // 6.3: a surrogate
    "\xC0\xAF",                                                                          // overlong '/'
    "\xE0\x80\xAF",                                                                      // overlong, 3 bytes
    "\xF0\x80\x80\xAF",                                                                  // overlong, 4 bytes
    "\xED\xBF\xBF",                                                                      // U+DFFF
    "\xF4\x90\x80\x80",                                                                  // above U+10FFFF
    "\xF8\x88\x80\x80\x80",                                                              // 5-byte form
    "\xFE",
    "\xFF",
    "\x80",      // lone continuation byte
    "ab\xC2",    // truncated at the end of the message
    "\xE2\x82",  // truncated 3-byte sequence
    "\xC2 x",    // start byte followed by a non-continuation
};

TEST_F(WsConformance, F6_InvalidUtf8FailsWith1007) {
  for (const std::string& text : kInvalidTexts) {
    for (bool fragmented : {false, true}) {
      SCOPED_TRACE(testing::Message() << ws_test_hex(text) << (fragmented ? " fragmented" : ""));
      WsTestClient c(port());
      ASSERT_TRUE(c.upgraded());
      if (fragmented) {
        // One byte per fragment: the error may lie in a fragment boundary.
        std::string frames;
        for (std::size_t i = 0; i < text.size(); ++i)
          frames +=
              c.frame(static_cast<std::uint8_t>((i == 0 ? kText : kCont) | (i + 1 == text.size() ? kFin : 0)),
                      text.substr(i, 1));
        ASSERT_TRUE(c.send_raw(frames));
      } else {
        ASSERT_TRUE(c.send_frame(kFin | kText, text));
      }
      expect_fail(c, 1007);
    }
  }
}

TEST_F(WsConformance, F6_InvalidUtf8FailsFastBeforeTheRestOfTheMessageIsSent) {
  // 6.4.1/6.4.2-like: the header announces 64 bytes; only a valid prefix and the bad sequence are sent. The
  // close must arrive although the frame is incomplete.
  {
    WsTestClient c(port());
    ASSERT_TRUE(c.upgraded());
    const std::uint8_t* mask = c.next_mask();
    std::string payload = "\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5\xF4\x90\x80\x80";
    payload.resize(64, 'x');
    const std::string bytes = ws_frame(kFin | kText, payload, mask);
    ASSERT_TRUE(c.send_raw(bytes.substr(0, 2 + 4 + 13)));  // up to \xF4\x90, which no code point continues
    EXPECT_EQ(c.read_close_code(), 1007);
  }
  // The same inside a fragmented message: the first fragment is bad, the final one is never sent.
  {
    WsTestClient c(port());
    ASSERT_TRUE(c.upgraded());
    ASSERT_TRUE(c.send_frame(kText, "\xCE\xBA\xE1\xBD\xB9\xED\xA0\x80"));
    EXPECT_EQ(c.read_close_code(), 1007);
    (void)c.send_frame(kFin | kCont, "edited");  // arrives after the close, if at all: ignored
    EXPECT_TRUE(c.closed_with_nothing_more());
  }
  // The bad byte in a later chunk of one frame (6.4.3-like).
  {
    WsTestClient c(port());
    ASSERT_TRUE(c.upgraded());
    const std::uint8_t* mask = c.next_mask();
    std::string payload = "\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5";
    const std::size_t good = payload.size();
    payload += "\xF4\x90\x80\x80";
    payload.resize(200, 'y');
    const std::string bytes = ws_frame(kFin | kText, payload, mask);
    const std::size_t header = 2 + 2 + 4;
    ASSERT_TRUE(c.send_raw(bytes.substr(0, header + good)));
    auto nothing = c.read_frame(std::chrono::milliseconds(50));  // still valid so far: no answer yet
    EXPECT_FALSE(nothing);
    ASSERT_TRUE(c.send_raw(bytes.substr(header + good, 2)));
    EXPECT_EQ(c.read_close_code(), 1007);
  }
}

// --- Family 7: close handling -----------------------------------------------------------------------------

TEST_F(WsConformance, F7_EmptyCloseIsAnsweredWith1000AndTcpClosed) {
  WsTestClient c(port());
  ASSERT_TRUE(c.upgraded());
  ASSERT_TRUE(c.send_frame(kFin | kText, "Hello World!"));
  expect_echo(c, kText, "Hello World!");
  ASSERT_TRUE(c.send_frame(kFin | kClose, ""));
  auto f = c.read_frame();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->b0, kFin | kClose);
  EXPECT_EQ(f->payload, ws_close_payload(1000));
  EXPECT_TRUE(c.closed_with_nothing_more());
}

TEST_F(WsConformance, F7_DataAndControlFramesAfterCloseAreIgnored) {
  struct Case {
    const char* name;
    std::string after;
  };
  WsTestClient probe(port());
  ASSERT_TRUE(probe.upgraded());
  const Case cases[] = {
      {"close again", probe.frame(kFin | kClose, ws_close_payload(1000))},
      {"ping", probe.frame(kFin | kPing, "ignored")},
      {"text", probe.frame(kFin | kText, "ignored")},
      {"garbage", std::string("\xFF\xFF\xFF\xFF")},
  };
  EXPECT_TRUE(probe.close_cleanly());
  for (const Case& k : cases) {
    SCOPED_TRACE(k.name);
    WsTestClient c(port());
    ASSERT_TRUE(c.upgraded());
    ASSERT_TRUE(c.send_raw(c.frame(kFin | kClose, ws_close_payload(1000)) + k.after));
    auto f = c.read_frame();
    ASSERT_TRUE(f);
    EXPECT_EQ(f->b0, kFin | kClose);
    EXPECT_EQ(f->close_code(), 1000);
    EXPECT_TRUE(c.closed_with_nothing_more());
  }
  // 7.1.5-like: a close between the fragments of a message: the message is never echoed.
  WsTestClient c(port());
  ASSERT_TRUE(c.upgraded());
  ASSERT_TRUE(c.send_raw(c.frame(kText, "fragment1") + c.frame(kFin | kClose, ws_close_payload(1000)) +
                         c.frame(kFin | kCont, "fragment2")));
  EXPECT_EQ(c.read_close_code(), 1000);
  EXPECT_TRUE(c.closed_with_nothing_more());
}

TEST_F(WsConformance, F7_ValidCloseCodesAreEchoed) {
  for (int code :
       {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999}) {
    SCOPED_TRACE(testing::Message() << "code " << code);
    WsTestClient c(port());
    ASSERT_TRUE(c.upgraded());
    ASSERT_TRUE(c.send_close(code, "reason"));
    auto f = c.read_frame();
    ASSERT_TRUE(f);
    EXPECT_EQ(f->b0, kFin | kClose);
    EXPECT_EQ(f->close_code(), code);
    EXPECT_TRUE(c.closed_with_nothing_more());
  }
  // A reason of the maximum length (123 bytes) is fine (7.3.5).
  WsTestClient c(port());
  ASSERT_TRUE(c.upgraded());
  ASSERT_TRUE(c.send_close(1000, std::string(123, '*')));
  EXPECT_EQ(c.read_close_code(), 1000);
  EXPECT_TRUE(c.closed_with_nothing_more());
}

TEST_F(WsConformance, F7_InvalidCloseCodesAndPayloadsFailWith1002Or1007) {
  for (int code : {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535}) {
    SCOPED_TRACE(testing::Message() << "code " << code);
    WsTestClient c(port());
    ASSERT_TRUE(c.upgraded());
    ASSERT_TRUE(c.send_close(code));
    expect_fail(c, 1002);
  }
  {
    SCOPED_TRACE("1-byte close payload");
    WsTestClient c(port());
    ASSERT_TRUE(c.upgraded());
    ASSERT_TRUE(c.send_frame(kFin | kClose, "\x03"));
    expect_fail(c, 1002);
  }
  {
    SCOPED_TRACE("124-byte reason: a 126-byte control frame");
    WsTestClient c(port());
    ASSERT_TRUE(c.upgraded());
    ASSERT_TRUE(c.send_close(1000, std::string(124, '*')));
    expect_fail(c, 1002);
  }
  {
    SCOPED_TRACE("invalid UTF-8 reason");
    WsTestClient c(port());
    ASSERT_TRUE(c.upgraded());
    ASSERT_TRUE(c.send_close(
        1000, "\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5\xED\xA0\x80\x65\x64\x69\x74\x65\x64"));
    expect_fail(c, 1007);
  }
}

// --- Family 9: limits -------------------------------------------------------------------------------------

ServerConfig limits_config() {
  ServerConfig config = conformance_config();
  config.transports.get<WsConfig>().max_message_bytes = 64 * 1024;
  config.transports.get<WsConfig>().max_fragments = 16;
  return config;
}

class WsLimitsConformance : public ::testing::Test {
 protected:
  WsLimitsConformance() : server_(limits_config()) {}
  int port() const { return server_.port(); }
  TestServer server_;
};

TEST_F(WsLimitsConformance, F9_MessagesUpToTheLimitAreEchoed) {
  WsTestClient c(port());
  ASSERT_TRUE(c.upgraded());
  ASSERT_TRUE(c.send_frame(kFin | kBinary, pattern(64 * 1024, true)));
  expect_echo(c, kBinary, pattern(64 * 1024, true));
  // Exactly max_fragments fragments, together exactly the limit.
  std::string frames;
  for (int i = 0; i < 16; ++i)
    frames += c.frame(static_cast<std::uint8_t>((i == 0 ? kText : kCont) | (i == 15 ? kFin : 0)),
                      pattern(4096, false));
  ASSERT_TRUE(c.send_raw(frames));
  std::string whole;
  for (int i = 0; i < 16; ++i) whole += pattern(4096, false);
  expect_echo(c, kText, whole);
  EXPECT_TRUE(c.close_cleanly());
}

TEST_F(WsLimitsConformance, F9_OversizedMessageIsRefusedFromItsHeaderAlone) {
  for (std::uint64_t len : {std::uint64_t{64 * 1024 + 1}, std::uint64_t{1} << 40}) {
    SCOPED_TRACE(testing::Message() << "length " << len);
    WsTestClient c(port());
    ASSERT_TRUE(c.upgraded());
    // Only the header: the close has to come without the payload.
    ASSERT_TRUE(c.send_raw(ws_header(kFin | kBinary, len, c.next_mask())));
    expect_fail(c, 1009);
  }
  // Over the limit only with its second fragment: refused at that fragment's header.
  WsTestClient c(port());
  ASSERT_TRUE(c.upgraded());
  ASSERT_TRUE(c.send_raw(c.frame(kText, pattern(40 * 1024, false)) +
                         ws_header(kFin | kCont, 30 * 1024, c.next_mask())));
  expect_fail(c, 1009);
}

TEST_F(WsLimitsConformance, F9_FragmentFloodFailsWith1009) {
  WsTestClient c(port());
  ASSERT_TRUE(c.upgraded());
  std::string frames = c.frame(kText, "a");
  for (int i = 1; i < 100; ++i) frames += c.frame(kCont, "");
  ASSERT_TRUE(c.send_raw(frames));
  expect_fail(c, 1009);
}

TEST_F(WsConformance, F9_LargeMessagesEchoWhole) {
  // 9.1/9.2-like: 1 MiB in one frame and in 64 KiB fragments, text and binary.
  WsTestClient c(port());
  ASSERT_TRUE(c.upgraded());
  for (bool binary : {false, true}) {
    const std::uint8_t op = binary ? kBinary : kText;
    const std::string big = pattern(1 << 20, binary);
    ASSERT_TRUE(c.send_frame(kFin | op, big));
    expect_echo(c, op, big);
    std::string frames;
    for (std::size_t off = 0; off < big.size(); off += 65536)
      frames +=
          c.frame(static_cast<std::uint8_t>((off == 0 ? op : kCont) | (off + 65536 >= big.size() ? kFin : 0)),
                  std::string_view(big).substr(off, 65536));
    ASSERT_TRUE(c.send_raw(frames));
    expect_echo(c, op, big);
  }
  EXPECT_TRUE(c.close_cleanly());
}

// /echo flow control: with a send queue far smaller than the messages, nothing is dropped. Echoes that do not
// fit the queue are streamed as fragments; a client that sends much faster than it reads is paused, not cut.

ServerConfig small_queue_config() {
  ServerConfig config = conformance_config();
  config.listen.connection_limits.max_queued_bytes = 64 * 1024;
  config.listen.connection_limits.high_watermark = 16 * 1024;
  return config;
}

class WsEchoFlowControl : public ::testing::Test {
 protected:
  WsEchoFlowControl() : server_(small_queue_config()) {}
  int port() const { return server_.port(); }
  TestServer server_;
};

TEST_F(WsEchoFlowControl, F9_MessageLargerThanTheSendQueueIsEchoedWhole) {
  WsTestClient c(port());
  ASSERT_TRUE(c.upgraded());
  for (bool binary : {false, true}) {
    const std::uint8_t op = binary ? kBinary : kText;
    const std::string big = pattern(1 << 20, binary);
    ASSERT_TRUE(c.send_frame(kFin | op, big));
    std::size_t fragments = 0;
    auto m = c.read_message(&fragments);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->b0, kFin | op);
    EXPECT_TRUE(m->payload == big);
    EXPECT_GT(fragments, 1u);  // it could not have been queued as one frame
    // A ping sent now is answered (control frames may come between fragments), and small echoes still work.
    ASSERT_TRUE(c.send_frame(kFin | kPing, "after"));
    expect_echo(c, kPong, "after");
  }
  EXPECT_TRUE(c.close_cleanly());
  EXPECT_EQ(stat_value(port(), "transports.ws.dropped_slow"), 0u);
}

TEST_F(WsEchoFlowControl, F9_PipelinedMessagesAreAllEchoedInOrder) {
  // 9.7/9.8-like: 300 messages of 8 KiB (2.4 MB against a 64 KiB queue) sent before reading any echo.
  WsTestClient c(port());
  ASSERT_TRUE(c.upgraded());
  std::thread writer([&] {
    std::string batch;
    for (int i = 0; i < 300; ++i) batch += c.frame(kFin | kBinary, std::to_string(i) + pattern(8192, true));
    c.send_raw(batch);  // blocks while the server is not reading: that is the point
  });
  for (int i = 0; i < 300; ++i) {
    auto m = c.read_message();
    ASSERT_TRUE(m) << "echo " << i;
    EXPECT_TRUE(m->payload == std::to_string(i) + pattern(8192, true)) << "echo " << i;
  }
  writer.join();
  EXPECT_TRUE(c.close_cleanly());
  EXPECT_EQ(stat_value(port(), "transports.ws.dropped_slow"), 0u);
}

// --- Family 10: handshake and misc ------------------------------------------------------------------------

std::string request_with(std::string_view line, std::string_view headers) {
  return std::string(line) + "\r\nHost: 127.0.0.1\r\n" + std::string(headers) + "\r\n";
}

constexpr std::string_view kGoodHeaders =
    "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Version: 13\r\n";

TEST_F(WsConformance, F10_HandshakeAnswersWith101AndTheRfcAcceptValue) {
  WsTestClient c(port());
  ASSERT_TRUE(c.response());
  EXPECT_EQ(c.response()->status, 101);
  EXPECT_EQ(c.response()->header("upgrade"), "websocket");
  EXPECT_EQ(c.response()->header("connection"), "Upgrade");
  EXPECT_EQ(c.response()->header("sec-websocket-accept"), kWsSampleAccept);
  EXPECT_TRUE(c.close_cleanly());
}

TEST_F(WsConformance, F10_HandshakeTokenListsAndCaseAreAccepted) {
  const std::string variants[] = {
      "UPGRADE: WebSocket\r\nconnection: keep-alive, UPGRADE\r\nsec-websocket-key: "
      "dGhlIHNhbXBsZSBub25jZQ==\r\n"
      "SEC-WEBSOCKET-VERSION: 13\r\n",
      // Connection repeated: the fields form one list (RFC 9110 5.3).
      "Upgrade: websocket\r\nConnection: keep-alive\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n",
      "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key:  dGhlIHNhbXBsZSBub25jZQ== \r\n"
      "Sec-WebSocket-Version: 13\r\n",
  };
  for (const std::string& headers : variants) {
    SCOPED_TRACE(headers);
    WsTestClient c(port(), "", request_with("GET /echo HTTP/1.1", headers));
    ASSERT_TRUE(c.response());
    EXPECT_EQ(c.response()->status, 101);
    EXPECT_EQ(c.response()->header("sec-websocket-accept"), kWsSampleAccept);
    ASSERT_TRUE(c.send_frame(kFin | kText, "works"));
    expect_echo(c, kText, "works");
  }
}

TEST_F(WsConformance, F10_MalformedHandshakesAre400AndClose) {
  const std::pair<const char*, std::string> cases[] = {
      {"no Upgrade", request_with("GET /echo HTTP/1.1",
                                  "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                  "Sec-WebSocket-Version: 13\r\n")},
      {"Upgrade: h2c", request_with("GET /echo HTTP/1.1",
                                    "Upgrade: h2c\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                                    "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n")},
      {"Connection without upgrade",
       request_with("GET /echo HTTP/1.1",
                    "Upgrade: websocket\r\nConnection: keep-alive\r\nSec-WebSocket-Key: "
                    "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n")},
      {"no key", request_with("GET /echo HTTP/1.1",
                              "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n")},
      {"key of 15 bytes", request_with("GET /echo HTTP/1.1",
                                       "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                                       "dGhlIHNhbXBsZSBub25jZQ=\r\nSec-WebSocket-Version: 13\r\n")},
      {"key not base64", request_with("GET /echo HTTP/1.1",
                                      "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                                      "dGhlIHNhbXBsZSBub25j*Q==\r\nSec-WebSocket-Version: 13\r\n")},
      {"two keys", request_with("GET /echo HTTP/1.1",
                                "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                                "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\n"
                                "Sec-WebSocket-Version: 13\r\n")},
      {"no version", request_with("GET /echo HTTP/1.1",
                                  "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                                  "dGhlIHNhbXBsZSBub25jZQ==\r\n")},
      {"HTTP/1.0", request_with("GET /echo HTTP/1.0", kGoodHeaders)},
      {"bad channel on /ws", request_with("GET /ws?channel=no%20spaces HTTP/1.1", kGoodHeaders)},
      {"bad since on /ws", request_with("GET /ws?since=-1 HTTP/1.1", kGoodHeaders)},
  };
  for (const auto& [name, request] : cases) {
    SCOPED_TRACE(name);
    WsTestClient c(port(), "", request);
    ASSERT_TRUE(c.response());
    EXPECT_EQ(c.response()->status, 400);
    EXPECT_EQ(c.response()->header("connection"), "close");
    EXPECT_TRUE(c.tcp().wait_closed());
  }
}

TEST_F(WsConformance, F10_UnsupportedVersionIs426WithVersion13) {
  for (std::string_view version : {"8", "12", "14", "13, 8"}) {
    SCOPED_TRACE(version);
    WsTestClient c(port(), "",
                   request_with("GET /echo HTTP/1.1",
                                "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: "
                                "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: " +
                                    std::string(version) + "\r\n"));
    ASSERT_TRUE(c.response());
    EXPECT_EQ(c.response()->status, 426);
    EXPECT_EQ(c.response()->header("sec-websocket-version"), "13");
  }
}

TEST_F(WsConformance, F10_WrongMethodIs405) {
  for (std::string_view method : {"POST", "PUT", "DELETE"}) {
    SCOPED_TRACE(method);
    WsTestClient c(port(), "", request_with(std::string(method) + " /echo HTTP/1.1", kGoodHeaders));
    ASSERT_TRUE(c.response());
    EXPECT_EQ(c.response()->status, 405);
    EXPECT_EQ(c.response()->header("allow"), "GET");
  }
}

TEST_F(WsConformance, F10_UnmaskedClientFrameFailsWith1002) {
  WsTestClient c(port());
  ASSERT_TRUE(c.upgraded());
  ASSERT_TRUE(c.send_raw(ws_frame(kFin | kText, "not masked", nullptr)));
  expect_fail(c, 1002);
}

TEST_F(WsConformance, F10_NonMinimalAndTopBitLengthsFailWith1002) {
  struct Case {
    const char* name;
    std::uint64_t len;
    int ext;
  };
  for (const Case& k :
       {Case{"5 in 16 bits", 5, 126}, Case{"5 in 64 bits", 5, 127}, Case{"65535 in 64 bits", 65535, 127},
        Case{"top bit set", std::uint64_t{1} << 63, 127}}) {
    SCOPED_TRACE(k.name);
    WsTestClient c(port());
    ASSERT_TRUE(c.upgraded());
    ASSERT_TRUE(c.send_raw(ws_header(kFin | kBinary, k.len, c.next_mask(), k.ext)));
    expect_fail(c, 1002);
  }
}

TEST_F(WsConformance, F10_FramesInTheSameWriteAsTheHandshakeAreRead) {
  // The client does not wait for the 101: its first frames arrive in the same read as the request head.
  WsTestClient probe(port());
  const std::string frames = probe.frame(kFin | kText, "early") + probe.frame(kFin | kPing, "early ping");
  EXPECT_TRUE(probe.close_cleanly());
  WsTestClient c(port(), "", WsTestClient::upgrade_request("/echo") + frames);
  ASSERT_TRUE(c.upgraded());
  expect_echo(c, kText, "early");
  expect_echo(c, kPong, "early ping");
  EXPECT_TRUE(c.close_cleanly());
}

TEST_F(WsConformance, F10_ServerShutdownSends1001) {
  auto server = std::make_unique<TestServer>(conformance_config());
  WsTestClient c(server->port());
  ASSERT_TRUE(c.upgraded());
  ASSERT_TRUE(c.send_frame(kFin | kText, "still here"));
  expect_echo(c, kText, "still here");
  server.reset();  // graceful shutdown; we never answer, so the grace time ends it
  EXPECT_EQ(c.read_close_code(), 1001);
  EXPECT_TRUE(c.closed_with_nothing_more());
}

}  // namespace
}  // namespace rtb::test
