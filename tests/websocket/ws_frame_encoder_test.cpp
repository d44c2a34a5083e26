#include "transports/websocket/ws_frame_encoder.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <string>
#include <utility>

#include "tests/websocket/ws_test_support.hpp"
#include "transports/common/utf8_validator.hpp"

namespace rtb {
namespace {

using ws_test::bytes;
using ws_test::hex;
using ws_test::kRfcKey;

std::string header_bytes(WsOpcode op, bool fin, std::uint64_t len, const std::uint8_t* key) {
  std::uint8_t out[kWsMaxHeaderBytes + 2];
  std::fill(std::begin(out), std::end(out), 0xEE);
  const std::size_t n = ws_encode_frame_header(out, op, fin, len, key);
  EXPECT_EQ(n, ws_frame_header_size(len, key != nullptr));
  EXPECT_EQ(out[n], 0xEE) << "wrote past the header";
  return std::string(reinterpret_cast<const char*>(out), n);
}

// RFC 6455 section 5.7.
TEST(WsFrameEncoder, RfcSingleFrameUnmaskedText) {
  const SharedBuffer frame = ws_encode_server_frame(WsOpcode::kText, "Hello");
  EXPECT_EQ(hex(frame.view()), hex(bytes({0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f})));
}

TEST(WsFrameEncoder, RfcSingleFrameMaskedText) {
  std::string out;
  ws_append_client_frame(out, WsOpcode::kText, "Hello", kRfcKey);
  EXPECT_EQ(hex(out), hex(bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58})));
}

TEST(WsFrameEncoder, RfcFragmentedUnmaskedText) {
  const SharedBuffer first = ws_encode_server_frame(WsOpcode::kText, "Hel", false);
  const SharedBuffer second = ws_encode_server_frame(WsOpcode::kContinuation, "lo", true);
  EXPECT_EQ(hex(first.view()), hex(bytes({0x01, 0x03, 0x48, 0x65, 0x6c})));
  EXPECT_EQ(hex(second.view()), hex(bytes({0x80, 0x02, 0x6c, 0x6f})));
}

TEST(WsFrameEncoder, RfcUnmaskedPingAndMaskedPong) {
  const SharedBuffer ping = ws_encode_server_frame(WsOpcode::kPing, "Hello");
  EXPECT_EQ(hex(ping.view()), hex(bytes({0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f})));
  std::string pong;
  ws_append_client_frame(pong, WsOpcode::kPong, "Hello", kRfcKey);
  EXPECT_EQ(hex(pong), hex(bytes({0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58})));
}

TEST(WsFrameEncoder, Rfc256ByteBinaryHeader) {
  const std::string payload(256, 'z');
  const SharedBuffer frame = ws_encode_server_frame(WsOpcode::kBinary, payload);
  ASSERT_EQ(frame.size(), 4u + 256u);
  EXPECT_EQ(hex(frame.view().substr(0, 4)), hex(bytes({0x82, 0x7E, 0x01, 0x00})));
  EXPECT_EQ(frame.view().substr(4), payload);
}

TEST(WsFrameEncoder, Rfc64KiBBinaryHeader) {
  const std::string payload(65536, '\x01');
  const SharedBuffer frame = ws_encode_server_frame(WsOpcode::kBinary, payload);
  ASSERT_EQ(frame.size(), 10u + 65536u);
  EXPECT_EQ(hex(frame.view().substr(0, 10)),
            hex(bytes({0x82, 0x7F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00})));
  EXPECT_EQ(frame.view().substr(10), payload);
}

TEST(WsFrameEncoder, HeaderUsesMinimalLengthEncodingAtEveryBoundary) {
  struct Case {
    std::uint64_t len;
    std::string expected;
  };
  const Case cases[] = {
      {0, bytes({0x82, 0x00})},
      {1, bytes({0x82, 0x01})},
      {125, bytes({0x82, 0x7D})},
      {126, bytes({0x82, 0x7E, 0x00, 0x7E})},
      {127, bytes({0x82, 0x7E, 0x00, 0x7F})},
      {0xFFFF, bytes({0x82, 0x7E, 0xFF, 0xFF})},
      {0x10000, bytes({0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00})},
      {0x0102030405060708ULL, bytes({0x82, 0x7F, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08})},
      {0x7FFFFFFFFFFFFFFFULL, bytes({0x82, 0x7F, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF})},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(hex(header_bytes(WsOpcode::kBinary, true, c.len, nullptr)), hex(c.expected)) << c.len;
    std::string masked = c.expected;
    masked[1] = static_cast<char>(static_cast<std::uint8_t>(masked[1]) | 0x80);
    masked.append(reinterpret_cast<const char*>(kRfcKey), 4);
    EXPECT_EQ(hex(header_bytes(WsOpcode::kBinary, true, c.len, kRfcKey)), hex(masked)) << c.len;
  }
}

TEST(WsFrameEncoder, HeaderSizes) {
  EXPECT_EQ(ws_frame_header_size(0, false), 2u);
  EXPECT_EQ(ws_frame_header_size(125, true), 6u);
  EXPECT_EQ(ws_frame_header_size(126, false), 4u);
  EXPECT_EQ(ws_frame_header_size(0xFFFF, true), 8u);
  EXPECT_EQ(ws_frame_header_size(0x10000, false), 10u);
  EXPECT_EQ(ws_frame_header_size(0x10000, true), kWsMaxHeaderBytes);
}

TEST(WsFrameEncoder, FirstByteCarriesFinAndOpcode) {
  EXPECT_EQ(hex(header_bytes(WsOpcode::kContinuation, false, 0, nullptr)), "00 00");
  EXPECT_EQ(hex(header_bytes(WsOpcode::kContinuation, true, 0, nullptr)), "80 00");
  EXPECT_EQ(hex(header_bytes(WsOpcode::kBinary, false, 3, nullptr)), "02 03");
  EXPECT_EQ(hex(header_bytes(WsOpcode::kClose, true, 2, nullptr)), "88 02");
  EXPECT_EQ(hex(header_bytes(WsOpcode::kPong, true, 0, nullptr)), "8a 00");
}

TEST(WsFrameEncoder, ServerFrameIsOneExactAllocation) {
  for (std::size_t len : {0u, 5u, 125u, 126u, 1000u, 70000u}) {
    const std::string payload(len, 'p');
    const SharedBuffer frame = ws_encode_server_frame(WsOpcode::kText, payload);
    EXPECT_EQ(frame.size(), ws_frame_header_size(len, false) + len);
    EXPECT_EQ(frame.capacity(), frame.size());
    EXPECT_EQ(frame.use_count(), 1u);
  }
}

TEST(WsFrameEncoder, PartsFrameEqualsFrameOfConcatenation) {
  const std::pair<std::string, std::string> cases[] = {
      {"", ""},
      {"42 ", ""},
      {"", "data"},
      {"42 ", "hello"},
      {std::string(100, 'a'), std::string(25, 'b')},  // 125: 7-bit length
      {std::string(100, 'a'), std::string(26, 'b')},  // 126: the sum crosses into 16-bit
      {"7 ", std::string(70000, 'c')},                // 64-bit length
  };
  for (const auto& [prefix, payload] : cases) {
    const SharedBuffer parts = ws_encode_server_frame_parts(WsOpcode::kText, prefix, payload);
    const SharedBuffer whole = ws_encode_server_frame(WsOpcode::kText, prefix + payload);
    EXPECT_EQ(parts.view(), whole.view()) << prefix.size() << "+" << payload.size();
    EXPECT_EQ(parts.capacity(), parts.size());
  }
  EXPECT_EQ(hex(ws_encode_server_frame_parts(WsOpcode::kText, "1 ", "hi").view()), "81 04 31 20 68 69");
}

TEST(WsFrameEncoder, ClientFrameAppendsAndMasksOnlyTheNewPayload) {
  std::string out = "prefix";
  ws_append_client_frame(out, WsOpcode::kBinary, std::string(300, '\0'), kRfcKey, false);
  ASSERT_EQ(out.size(), 6u + 8u + 300u);
  EXPECT_EQ(out.substr(0, 6), "prefix");
  EXPECT_EQ(hex(out.substr(6, 8)), "02 fe 01 2c 37 fa 21 3d");
  // XOR of zero bytes with the key is the key repeated.
  for (std::size_t i = 0; i < 300; ++i) {
    ASSERT_EQ(static_cast<std::uint8_t>(out[14 + i]), kRfcKey[i % 4]) << i;
  }
}

TEST(WsFrameEncoder, CloseFrames) {
  EXPECT_EQ(hex(ws_encode_close_frame(0, "").view()), "88 00");
  EXPECT_EQ(hex(ws_encode_close_frame(0, "ignored").view()), "88 00");
  EXPECT_EQ(hex(ws_encode_close_frame(ws_close::kNormal, "").view()), "88 02 03 e8");
  EXPECT_EQ(hex(ws_encode_close_frame(ws_close::kNormal, "bye").view()), "88 05 03 e8 62 79 65");
  EXPECT_EQ(hex(ws_encode_close_frame(ws_close::kMessageTooBig, "").view()), "88 02 03 f1");
  EXPECT_EQ(hex(ws_encode_close_frame(4999, "").view()), "88 02 13 87");
  EXPECT_EQ(hex(ws_close_payload(ws_close::kProtocolError, "x")), "03 ea 78");
  EXPECT_EQ(ws_close_payload(0, "x"), "");
}

TEST(WsFrameEncoder, CloseReasonIsCutToFitAControlFrame) {
  const SharedBuffer frame = ws_encode_close_frame(ws_close::kGoingAway, std::string(300, 'r'));
  ASSERT_EQ(frame.size(), 2u + 125u);
  EXPECT_EQ(hex(frame.view().substr(0, 4)), "88 7d 03 e9");
  EXPECT_EQ(frame.view().substr(4), std::string(123, 'r'));
  EXPECT_EQ(ws_close_payload(ws_close::kGoingAway, std::string(123, 'r')).size(), 125u);
}

TEST(WsFrameEncoder, CloseReasonIsNeverCutInsideAUtf8Sequence) {
  // 122 ASCII bytes then a 2-byte character: the 123-byte cut would split it, so the character goes.
  const std::string reason = std::string(122, 'a') + "\xC3\xA9" + "tail";
  const std::string payload = ws_close_payload(ws_close::kNormal, reason);
  EXPECT_EQ(payload.size(), 2u + 122u);
  EXPECT_TRUE(is_valid_utf8(payload.substr(2)));
  // A 4-byte character straddling the cut is dropped whole too.
  const std::string reason4 = std::string(121, 'a') + "\xF0\x9F\x98\x80";
  EXPECT_EQ(ws_close_payload(ws_close::kNormal, reason4).size(), 2u + 121u);
  // Exactly fitting multibyte text is kept.
  const std::string fits = std::string(121, 'a') + "\xC3\xA9";
  EXPECT_EQ(ws_close_payload(ws_close::kNormal, fits).substr(2), fits);
}

TEST(WsFrameEncoder, ClientCloseFrameIsMasked) {
  std::string out;
  ws_append_client_close_frame(out, ws_close::kNormal, "ok", kRfcKey);
  EXPECT_EQ(
      hex(out),
      hex(bytes({0x88, 0x84, 0x37, 0xfa, 0x21, 0x3d, 0x03 ^ 0x37, 0xe8 ^ 0xfa, 'o' ^ 0x21, 'k' ^ 0x3d})));
}

TEST(WsFrameEncoder, ClientFrameInOneBufferEqualsTheAppendedOne) {
  for (std::size_t len : {0, 5, 125, 126, 300, 70000}) {
    const std::string payload(len, 'p');
    std::string appended;
    ws_append_client_frame(appended, WsOpcode::kText, payload, kRfcKey);
    const SharedBuffer frame = ws_encode_client_frame(WsOpcode::kText, payload, kRfcKey);
    EXPECT_EQ(frame.size(), appended.size()) << len;
    EXPECT_TRUE(frame.view() == appended) << len;
  }
}

TEST(WsFrameEncoder, RawHeadersWriteAnyFirstByteAndLengthForm) {
  std::uint8_t out[kWsMaxHeaderBytes];
  auto raw = [&](std::uint8_t b0, std::uint64_t len, const std::uint8_t* key, WsLengthForm form) {
    return hex({reinterpret_cast<const char*>(out), ws_encode_raw_frame_header(out, b0, len, key, form)});
  };
  EXPECT_EQ(raw(0xC1, 5, nullptr, WsLengthForm::kShortest), "c1 05");  // RSV1 as given
  EXPECT_EQ(raw(0x83, 5, nullptr, WsLengthForm::kShortest), "83 05");  // a reserved opcode as given
  EXPECT_EQ(raw(0x82, 5, nullptr, WsLengthForm::k16Bit), "82 7e 00 05");
  EXPECT_EQ(raw(0x82, 5, kRfcKey, WsLengthForm::k64Bit), "82 ff 00 00 00 00 00 00 00 05 37 fa 21 3d");
  EXPECT_EQ(raw(0x82, 70000, nullptr, WsLengthForm::kShortest), "82 7f 00 00 00 00 00 01 11 70");
  // The encoder proper is the raw one with FIN and the opcode as its first byte.
  EXPECT_EQ(hex(header_bytes(WsOpcode::kPing, true, 3, kRfcKey)),
            raw(0x89, 3, kRfcKey, WsLengthForm::kShortest));
}

}  // namespace
}  // namespace rtb
