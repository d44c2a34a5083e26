#include "harness/metrics/json_writer.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace rtb {
namespace {

TEST(JsonWriterTest, EscapesPerRfc8259) {
  EXPECT_EQ(json_quote(""), "\"\"");
  EXPECT_EQ(json_quote("plain text/ok"), "\"plain text/ok\"");
  EXPECT_EQ(json_quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(json_quote("\b\f\n\r\t"), "\"\\b\\f\\n\\r\\t\"");
  EXPECT_EQ(json_quote(std::string_view("\x00\x01\x1f\x7f", 4)), "\"\\u0000\\u0001\\u001f\x7f\"");
}

TEST(JsonWriterTest, Utf8PassesInvalidBytesBecomeReplacement) {
  EXPECT_EQ(json_quote("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
            "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
  EXPECT_EQ(json_quote("\xff"), "\"\\ufffd\"");
  EXPECT_EQ(json_quote("\xc0\xaf"), "\"\\ufffd\\ufffd\"");                        // overlong '/'
  EXPECT_EQ(json_quote("\xe0\x80\xaf"), "\"\\ufffd\\ufffd\\ufffd\"");             // overlong
  EXPECT_EQ(json_quote("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");             // UTF-16 surrogate
  EXPECT_EQ(json_quote("\xf4\x90\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");  // > U+10FFFF
  EXPECT_EQ(json_quote("a\xe2\x82"), "\"a\\ufffd\\ufffd\"");                      // truncated
  EXPECT_EQ(json_quote("\xe2\x82"
                       "b"),
            "\"\\ufffd\\ufffdb\"");
}

TEST(JsonWriterTest, CompactDocument) {
  JsonWriter w;
  w.begin_object()
      .key("name")
      .value("sse")
      .key("n")
      .value(-5)
      .key("big")
      .value(std::numeric_limits<uint64_t>::max())
      .key("list")
      .begin_array()
      .value(true)
      .value(false)
      .value(nullptr)
      .value(1.5)
      .value(std::numeric_limits<double>::quiet_NaN())
      .value(-std::numeric_limits<double>::infinity())
      .end_array()
      .key("empty_obj")
      .begin_object()
      .end_object()
      .key("empty_arr")
      .begin_array()
      .end_array()
      .field("k\"q", std::string("v"))
      .end_object();
  ASSERT_TRUE(w.complete());
  EXPECT_EQ(
      w.str(),
      "{\"name\":\"sse\",\"n\":-5,\"big\":18446744073709551615,\"list\":[true,false,null,1.5,null,null],"
      "\"empty_obj\":{},\"empty_arr\":[],\"k\\\"q\":\"v\"}");
}

TEST(JsonWriterTest, NumbersRoundTripWithoutLocale) {
  JsonWriter w;
  w.begin_array()
      .value(0.1)
      .value(3.0)
      .value(1e300)
      .value(-0.0)
      .value(int64_t{-9223372036854775807 - 1})
      .value(static_cast<unsigned short>(7))
      .value('A')  // a char is an integer here, not a string
      .end_array();
  ASSERT_TRUE(w.complete());
  EXPECT_EQ(w.str(), "[0.1,3,1e+300,-0,-9223372036854775808,7,65]");
}

TEST(JsonWriterTest, Indented) {
  JsonWriter w(2);
  w.begin_object().field("a", 1).key("b").begin_array().value(2).value(3).end_array().key("c").begin_object();
  w.end_object().end_object();
  ASSERT_TRUE(w.complete());
  EXPECT_EQ(w.str(),
            "{\n"
            "  \"a\": 1,\n"
            "  \"b\": [\n"
            "    2,\n"
            "    3\n"
            "  ],\n"
            "  \"c\": {}\n"
            "}");
}

TEST(JsonWriterTest, MisuseMarksFailedAndWritesNothing) {
  {
    JsonWriter w;
    w.begin_object().value(1);  // value without a key
    EXPECT_FALSE(w.ok());
    EXPECT_EQ(w.str(), "{");
  }
  {
    JsonWriter w;
    w.begin_object().end_array();
    EXPECT_FALSE(w.ok());
  }
  {
    JsonWriter w;
    w.begin_array().key("k");
    EXPECT_FALSE(w.ok());
  }
  {
    JsonWriter w;
    w.begin_object().key("a").key("b");
    EXPECT_FALSE(w.ok());
  }
  {
    JsonWriter w;
    w.begin_object().key("a").end_object();  // dangling key
    EXPECT_FALSE(w.ok());
  }
  {
    JsonWriter w;
    w.value(1).value(2);  // two top-level values
    EXPECT_FALSE(w.ok());
    EXPECT_EQ(w.str(), "1");
  }
  {
    JsonWriter w;
    w.end_object();
    EXPECT_FALSE(w.ok());
  }
  {
    JsonWriter w;
    w.begin_object().key("a").value(1);
    EXPECT_TRUE(w.ok());
    EXPECT_FALSE(w.complete());  // still open
    w.end_object();
    EXPECT_TRUE(w.complete());
  }
  {
    JsonWriter w;
    w.value("scalar");
    EXPECT_TRUE(w.complete());
    EXPECT_EQ(w.str(), "\"scalar\"");
  }
}

}  // namespace
}  // namespace rtb
