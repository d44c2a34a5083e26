#include "transports/websocket/ws_event_format.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tests/websocket/ws_test_support.hpp"

namespace rtb {
namespace {

using Kind = WsEventText::Kind;

Event make_event(std::uint64_t id, std::string_view text) {
  Event e;
  e.id = id;
  e.data = SharedBuffer::copy_of(text);
  return e;
}

TEST(WsEventFormat, EventFrameIsOneUnmaskedTextFrameOfIdSpaceData) {
  const SharedBuffer frame = ws_encode_event_frame(make_event(42, "hello"));
  EXPECT_EQ(frame.view(), ws_test::bytes({0x81, 8}) + "42 hello");
  // 126 bytes of payload switch to the 16-bit length.
  const std::string data(124, 'x');
  const SharedBuffer longer = ws_encode_event_frame(make_event(7, data));
  EXPECT_EQ(longer.view(), ws_test::bytes({0x81, 126, 0, 126}) + "7 " + data);
  EXPECT_EQ(ws_encode_event_frame(make_event(1, "")).view(), ws_test::bytes({0x81, 2}) + "1 ");
}

TEST(WsEventFormat, EncodedOnceAndSharedThroughTheEvent) {
  const Event e = make_event(3, "shared");
  const SharedBuffer& first = e.encoded_as(EncodingSlot{1}, ws_encode_event_frame);
  const SharedBuffer& again = e.encoded_as(EncodingSlot{1}, [](const Event&) {
    ADD_FAILURE() << "encoded twice";
    return SharedBuffer();
  });
  EXPECT_EQ(first.data(), again.data());
}

TEST(WsEventFormat, GapText) {
  EXPECT_EQ(ws_gap_text(3, 6), "gap 3-6");
  EXPECT_EQ(ws_gap_text(1, 1), "gap 1-1");
}

TEST(WsEventFormat, ParsesEvents) {
  WsEventText t = ws_parse_event_text("12 hello world");
  EXPECT_EQ(t.kind, Kind::kEvent);
  EXPECT_EQ(t.id, 12u);
  EXPECT_EQ(t.data, "hello world");
  EXPECT_EQ(t.framing_bytes, 3u);
  t = ws_parse_event_text("18446744073709551615 max");
  EXPECT_EQ(t.kind, Kind::kEvent);
  EXPECT_EQ(t.id, UINT64_MAX);
  t = ws_parse_event_text("5 ");
  EXPECT_EQ(t.kind, Kind::kEvent);
  EXPECT_EQ(t.data, "");
  t = ws_parse_event_text("5  two spaces");
  EXPECT_EQ(t.kind, Kind::kEvent);
  EXPECT_EQ(t.data, " two spaces");
}

TEST(WsEventFormat, ParsesGaps) {
  WsEventText t = ws_parse_event_text("gap 3-6");
  EXPECT_EQ(t.kind, Kind::kGap);
  EXPECT_EQ(t.gap_first, 3u);
  EXPECT_EQ(t.gap_last, 6u);
  EXPECT_EQ(t.framing_bytes, 7u);
}

TEST(WsEventFormat, AnythingElseIsOther) {
  for (std::string_view text :
       {"", "12", "hello world", "-1 x", "+1 x", "0x1 x", "18446744073709551616 overflow", "gap", "gap ",
        "gap 6-3", "gap 3-", "gap -6", "gap 3_6", "gap 3-6-9", "GAP 3-6", " 1 x"}) {
    SCOPED_TRACE(text);
    const WsEventText t = ws_parse_event_text(text);
    EXPECT_EQ(t.kind, Kind::kOther);
    EXPECT_EQ(t.framing_bytes, text.size());
  }
}

}  // namespace
}  // namespace rtb
