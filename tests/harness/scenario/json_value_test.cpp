#include "harness/scenario/json_value.hpp"

#include <gtest/gtest.h>

#include "harness/metrics/json_writer.hpp"

namespace rtb {
namespace {

TEST(JsonValue, ReadsWhatJsonWriterWrites) {
  JsonWriter w(2);
  w.begin_object()
      .field("big", std::uint64_t{18446744073709551615ULL})
      .field("pi", 3.25)
      .field("text", "a \"quoted\"\n\x01 line \xc3\xa9")
      .field("yes", true)
      .key("none")
      .null_value()
      .key("list")
      .begin_array()
      .value(1)
      .value("two")
      .end_array()
      .end_object();
  std::string error;
  auto v = JsonValue::parse(w.str(), &error);
  ASSERT_TRUE(v) << error;
  EXPECT_EQ(v->find("big")->as_uint64(), 18446744073709551615ULL);
  EXPECT_EQ(v->find("pi")->as_double(), 3.25);
  EXPECT_EQ(v->find("text")->as_string(), "a \"quoted\"\n\x01 line \xc3\xa9");
  EXPECT_TRUE(v->find("yes")->as_bool());
  EXPECT_TRUE(v->find("none")->is_null());
  ASSERT_EQ(v->find("list")->items().size(), 2u);
  EXPECT_EQ(v->find("list")->items()[1].as_string(), "two");
  EXPECT_EQ(v->find("missing"), nullptr);
}

TEST(JsonValue, UnicodeEscapes) {
  std::string error;
  auto v = JsonValue::parse(R"(["\u00e9\ud83d\ude00\u0041"])", &error);
  ASSERT_TRUE(v) << error;
  EXPECT_EQ(v->items()[0].as_string(),
            "\xc3\xa9\xf0\x9f\x98\x80"
            "A");
}

TEST(JsonValue, RefusesMalformedText) {
  std::string error;
  for (const char* bad : {"", "{", "[1,]", "{\"a\" 1}", "01", "1.", "\"\x01\"", "nul", "{} x", "\"\\q\""}) {
    EXPECT_FALSE(JsonValue::parse(bad, &error)) << bad;
    EXPECT_FALSE(error.empty());
  }
  std::string deep(100, '[');
  EXPECT_FALSE(JsonValue::parse(deep, &error));
}

}  // namespace
}  // namespace rtb
