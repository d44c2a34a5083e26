#include "harness/metrics/json.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

namespace rtb {
namespace {

TEST(JsonTest, NonFiniteNumbersAreNull) {
  Json j =
      Json::array({1.5, std::numeric_limits<double>::quiet_NaN(), -std::numeric_limits<double>::infinity()});
  EXPECT_EQ(json_text(j, -1), "[1.5,null,null]");
}

TEST(JsonTest, InvalidUtf8BecomesReplacementCharacter) {
  Json j = std::string("caf\xc3\xa9 \xff");
  EXPECT_EQ(json_text(j, -1), "\"caf\xc3\xa9 \xef\xbf\xbd\"");
}

TEST(JsonTest, KeepsMemberOrderAnd64BitIntegers) {
  Json j = Json::object();
  j["z"] = std::numeric_limits<std::uint64_t>::max();
  j["a"] = -5;
  const std::string text = json_text(j, -1);
  EXPECT_EQ(text, "{\"z\":18446744073709551615,\"a\":-5}");
  std::string error;
  auto back = parse_json(text, &error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(json_unsigned(*back, "z"), std::numeric_limits<std::uint64_t>::max());
}

TEST(JsonTest, MalformedTextSaysWhere) {
  std::string error;
  EXPECT_FALSE(parse_json("{\"a\": [1, 2}", &error));
  EXPECT_NE(error.find("parse error"), std::string::npos) << error;
  EXPECT_FALSE(parse_json("", &error));
  EXPECT_FALSE(parse_json("{} {}", &error));
}

TEST(JsonTest, ReadersFallBackOnMissingOrMistypedMembers) {
  auto j = parse_json(R"({"s": "x", "n": 3, "neg": -1})", nullptr);
  ASSERT_TRUE(j);
  EXPECT_EQ(json_string(*j, "s"), "x");
  EXPECT_EQ(json_string(*j, "n", "fallback"), "fallback");
  EXPECT_EQ(json_unsigned(*j, "n"), 3u);
  EXPECT_EQ(json_unsigned(*j, "neg", 7), 7u);
  EXPECT_EQ(json_unsigned(Json::array(), "n", 9), 9u);
}

}  // namespace
}  // namespace rtb
