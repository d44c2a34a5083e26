#include "transports/websocket/ws_frame.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <set>

namespace rtb {
namespace {

TEST(WsCloseCode, ValidityOnTheWireForEveryCode) {
  const std::set<int> valid_below_3000 = {1000, 1001, 1002, 1003, 1007, 1008,
                                          1009, 1010, 1011, 1012, 1013, 1014};
  for (int code = 0; code <= 0xFFFF; ++code) {
    const bool expected = valid_below_3000.count(code) != 0 || (code >= 3000 && code <= 4999);
    ASSERT_EQ(ws_close_code_is_valid_on_wire(static_cast<std::uint16_t>(code)), expected) << code;
  }
}

TEST(WsCloseCode, ReportingOnlyCodesAreInvalidOnTheWire) {
  EXPECT_FALSE(ws_close_code_is_valid_on_wire(ws_close::kNoStatus));
  EXPECT_FALSE(ws_close_code_is_valid_on_wire(ws_close::kAbnormal));
  EXPECT_FALSE(ws_close_code_is_valid_on_wire(1004));
  EXPECT_FALSE(ws_close_code_is_valid_on_wire(1015));
  EXPECT_FALSE(ws_close_code_is_valid_on_wire(0));
  EXPECT_FALSE(ws_close_code_is_valid_on_wire(999));
  EXPECT_FALSE(ws_close_code_is_valid_on_wire(2999));
  EXPECT_FALSE(ws_close_code_is_valid_on_wire(5000));
  EXPECT_TRUE(ws_close_code_is_valid_on_wire(3000));
  EXPECT_TRUE(ws_close_code_is_valid_on_wire(4999));
}

TEST(WsFrame, OpcodeValuesAndControlBit) {
  EXPECT_EQ(static_cast<int>(WsOpcode::kContinuation), 0);
  EXPECT_EQ(static_cast<int>(WsOpcode::kText), 1);
  EXPECT_EQ(static_cast<int>(WsOpcode::kBinary), 2);
  EXPECT_EQ(static_cast<int>(WsOpcode::kClose), 8);
  EXPECT_EQ(static_cast<int>(WsOpcode::kPing), 9);
  EXPECT_EQ(static_cast<int>(WsOpcode::kPong), 10);
  EXPECT_FALSE(ws_opcode_is_control(WsOpcode::kContinuation));
  EXPECT_FALSE(ws_opcode_is_control(WsOpcode::kText));
  EXPECT_FALSE(ws_opcode_is_control(WsOpcode::kBinary));
  EXPECT_TRUE(ws_opcode_is_control(WsOpcode::kClose));
  EXPECT_TRUE(ws_opcode_is_control(WsOpcode::kPing));
  EXPECT_TRUE(ws_opcode_is_control(WsOpcode::kPong));
  EXPECT_EQ(ws_close::kNormal, 1000);
  EXPECT_EQ(ws_close::kProtocolError, 1002);
  EXPECT_EQ(ws_close::kInvalidPayload, 1007);
  EXPECT_EQ(ws_close::kMessageTooBig, 1009);
  EXPECT_EQ(ws_close::kInternalError, 1011);
}

}  // namespace
}  // namespace rtb
