#include "transports/websocket/ws_masking.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "tests/websocket/ws_test_support.hpp"

namespace rtb {
namespace {

using ws_test::naive_mask;

constexpr std::uint8_t kKey[4] = {0xA5, 0x3C, 0x0F, 0xF1};

std::string pattern(std::size_t len) {
  std::string s(len, '\0');
  for (std::size_t i = 0; i < len; ++i) s[i] = static_cast<char>((i * 37 + 11) & 0xFF);
  return s;
}

TEST(WsMasking, MatchesNaiveXorForEveryLengthAndOffset) {
  for (std::size_t len = 0; len <= 100; ++len) {
    for (std::size_t offset = 0; offset < 8; ++offset) {
      std::string data = pattern(len);
      const std::string expected = naive_mask(data, kKey, offset);
      ws_apply_mask(data.data(), data.size(), kKey, offset);
      ASSERT_EQ(data, expected) << "len=" << len << " offset=" << offset;
    }
  }
}

TEST(WsMasking, MatchesNaiveXorAtUnalignedAddresses) {
  std::vector<char> storage(128 + 16);
  for (std::size_t misalign = 0; misalign < 8; ++misalign) {
    for (std::size_t len : {1u, 7u, 8u, 9u, 15u, 16u, 17u, 63u, 100u}) {
      const std::string original = pattern(len);
      char* p = storage.data() + misalign;
      std::copy(original.begin(), original.end(), p);
      ws_apply_mask(p, len, kKey, misalign % 4);
      ASSERT_EQ(std::string(p, len), naive_mask(original, kKey, misalign % 4))
          << "misalign=" << misalign << " len=" << len;
    }
  }
}

TEST(WsMasking, ChunkedUnmaskingWithOffsetsEqualsWhole) {
  const std::string original = pattern(50);
  const std::string expected = naive_mask(original, kKey);
  for (std::size_t a = 0; a <= original.size(); ++a) {
    for (std::size_t b = a; b <= original.size(); b += 3) {
      std::string data = original;
      ws_apply_mask(data.data(), a, kKey, 0);
      ws_apply_mask(data.data() + a, b - a, kKey, a);
      ws_apply_mask(data.data() + b, data.size() - b, kKey, b);
      ASSERT_EQ(data, expected) << "splits " << a << "," << b;
    }
  }
}

TEST(WsMasking, MaskingTwiceRestoresAndZeroLengthIsNoop) {
  std::string data = pattern(33);
  ws_apply_mask(data.data(), data.size(), kKey, 2);
  EXPECT_NE(data, pattern(33));
  ws_apply_mask(data.data(), data.size(), kKey, 2);
  EXPECT_EQ(data, pattern(33));
  ws_apply_mask(nullptr, 0, kKey, 0);
}

TEST(WsMasking, RfcHelloExample) {
  std::string data = "Hello";
  ws_apply_mask(data.data(), data.size(), ws_test::kRfcKey, 0);
  EXPECT_EQ(data, ws_test::bytes({0x7f, 0x9f, 0x4d, 0x51, 0x58}));
}

}  // namespace
}  // namespace rtb
