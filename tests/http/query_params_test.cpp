// QueryParams, percent_decode and parse_decimal_u64: the strict parsing behind `channel` and `since`.
#include "transports/http/query_params.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace rtb::test {
namespace {

TEST(QueryParseDecimalU64, AcceptsPlainDigits) {
  EXPECT_EQ(parse_decimal_u64("0"), std::optional<std::uint64_t>(0));
  EXPECT_EQ(parse_decimal_u64("7"), std::optional<std::uint64_t>(7));
  EXPECT_EQ(parse_decimal_u64("1234567890"), std::optional<std::uint64_t>(1234567890));
  EXPECT_EQ(parse_decimal_u64("007"), std::optional<std::uint64_t>(7));
}

TEST(QueryParseDecimalU64, AcceptsTheLargestValueAndRejectsOverflow) {
  EXPECT_EQ(parse_decimal_u64("18446744073709551615"), std::optional<std::uint64_t>(UINT64_MAX));
  EXPECT_FALSE(parse_decimal_u64("18446744073709551616").has_value());
  EXPECT_FALSE(parse_decimal_u64("18446744073709551620").has_value());
  EXPECT_FALSE(parse_decimal_u64("99999999999999999999").has_value());
  EXPECT_FALSE(parse_decimal_u64("184467440737095516150").has_value());
  EXPECT_FALSE(parse_decimal_u64("100000000000000000000000").has_value());
}

TEST(QueryParseDecimalU64, RejectsEverythingButDigits) {
  EXPECT_FALSE(parse_decimal_u64("").has_value());
  EXPECT_FALSE(parse_decimal_u64("-1").has_value());
  EXPECT_FALSE(parse_decimal_u64("+1").has_value());
  EXPECT_FALSE(parse_decimal_u64(" 1").has_value());
  EXPECT_FALSE(parse_decimal_u64("1 ").has_value());
  EXPECT_FALSE(parse_decimal_u64("abc").has_value());
  EXPECT_FALSE(parse_decimal_u64("12a").has_value());
  EXPECT_FALSE(parse_decimal_u64("0x10").has_value());
  EXPECT_FALSE(parse_decimal_u64("1e3").has_value());
  EXPECT_FALSE(parse_decimal_u64("1.0").has_value());
  EXPECT_FALSE(parse_decimal_u64(std::string("1\0", 2)).has_value());
}

TEST(QueryPercentDecode, DecodesEscapesAndPlus) {
  EXPECT_EQ(percent_decode("abc"), std::optional<std::string>("abc"));
  EXPECT_EQ(percent_decode(""), std::optional<std::string>(""));
  EXPECT_EQ(percent_decode("a+b"), std::optional<std::string>("a b"));
  EXPECT_EQ(percent_decode("a%20b"), std::optional<std::string>("a b"));
  EXPECT_EQ(percent_decode("%2B"), std::optional<std::string>("+"));  // an escaped plus stays a plus
  EXPECT_EQ(percent_decode("%2b%2F%3d"), std::optional<std::string>("+/="));
  EXPECT_EQ(percent_decode("%41%42"), std::optional<std::string>("AB"));
  EXPECT_EQ(percent_decode("caf%C3%A9"), std::optional<std::string>("caf\xc3\xa9"));
  EXPECT_EQ(percent_decode("%00"), std::optional<std::string>(std::string(1, '\0')));
  EXPECT_EQ(percent_decode("%25"), std::optional<std::string>("%"));
  EXPECT_EQ(percent_decode("%2541"), std::optional<std::string>("%41"));  // decoded once, not twice
}

TEST(QueryPercentDecode, RejectsMalformedEscapes) {
  EXPECT_FALSE(percent_decode("%").has_value());
  EXPECT_FALSE(percent_decode("%4").has_value());
  EXPECT_FALSE(percent_decode("a%4").has_value());
  EXPECT_FALSE(percent_decode("%G1").has_value());
  EXPECT_FALSE(percent_decode("%1G").has_value());
  EXPECT_FALSE(percent_decode("%%41").has_value());
  EXPECT_FALSE(percent_decode("abc%").has_value());
  EXPECT_FALSE(percent_decode("% 1").has_value());
}

TEST(QueryParams, RawFindsTheFirstParameterByExactName) {
  QueryParams q("channel=a&since=5&channel=b&sincex=9");
  EXPECT_EQ(q.raw("channel"), std::optional<std::string_view>("a"));
  EXPECT_EQ(q.raw("since"), std::optional<std::string_view>("5"));
  EXPECT_EQ(q.raw("sincex"), std::optional<std::string_view>("9"));
  EXPECT_FALSE(q.raw("sinc").has_value());
  EXPECT_FALSE(q.raw("missing").has_value());
}

TEST(QueryParams, NameWithoutValueIsPresentAndEmpty) {
  QueryParams q("a&b=&c=1");
  ASSERT_TRUE(q.raw("a").has_value());
  EXPECT_EQ(*q.raw("a"), "");
  ASSERT_TRUE(q.raw("b").has_value());
  EXPECT_EQ(*q.raw("b"), "");
  EXPECT_EQ(q.raw("c"), std::optional<std::string_view>("1"));
}

TEST(QueryParams, EmptyPiecesAndEmptyQuery) {
  EXPECT_FALSE(QueryParams("").raw("a").has_value());
  QueryParams q("&&a=1&&");
  EXPECT_EQ(q.raw("a"), std::optional<std::string_view>("1"));
  EXPECT_FALSE(q.raw("b").has_value());
}

TEST(QueryParams, ValueMayContainEqualsSigns) {
  QueryParams q("a=b=c");
  EXPECT_EQ(q.raw("a"), std::optional<std::string_view>("b=c"));
}

TEST(QueryParams, DecodedValue) {
  QueryParams q("channel=my%2Dchan&text=hello+world&bad=%zz");
  EXPECT_EQ(q.decoded("channel"), std::optional<std::string>("my-chan"));
  EXPECT_EQ(q.decoded("text"), std::optional<std::string>("hello world"));
  EXPECT_FALSE(q.decoded("bad").has_value());
  EXPECT_FALSE(q.decoded("missing").has_value());
  // The name is compared as sent (not decoded).
  EXPECT_FALSE(QueryParams("chan%6Eel=x").raw("channel").has_value());
}

}  // namespace
}  // namespace rtb::test
