#include <gtest/gtest.h>

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "tests/common/sse_test_util.hpp"
#include "transports/common/sse_encoder.hpp"
#include "transports/common/sse_parser.hpp"

namespace rtb {
namespace {

using sse_test::chunkings;
using sse_test::comment;
using sse_test::ev;
using sse_test::last_id;
using sse_test::parse_chunks;
using sse_test::retry;

using namespace std::string_literals;

struct RoundTripCase {
  std::string name;
  std::string text;        // as published
  std::string normalised;  // what a browser's event.data holds: every CRLF and lone CR turned into LF
};

void PrintTo(const RoundTripCase& c, std::ostream* os) {
  *os << c.name;
}

const RoundTripCase kRoundTripCases[] = {
    {"Plain", "hello world", "hello world"},
    {"Empty", "", ""},
    {"LeadingSpace", " x", " x"},
    {"TwoLeadingSpaces", "  x", "  x"},
    {"LeadingColon", ":x", ":x"},
    {"LooksLikeField", "id: 99\nevent: gap", "id: 99\nevent: gap"},
    {"Lf", "a\nb", "a\nb"},
    {"CrLf", "a\r\nb", "a\nb"},
    {"Cr", "a\rb", "a\nb"},
    {"Mixed", "a\r\nb\rc\nd\n\re", "a\nb\nc\nd\n\ne"},
    {"TrailingLf", "a\n", "a\n"},
    {"TrailingCrLf", "a\r\n", "a\n"},
    {"OnlyLineEnds", "\n\r\n\r", "\n\n\n"},
    {"BlankLinesInside", "a\n\n\nb", "a\n\n\nb"},
    {"Unicode", "\xE2\x9C\x93 caf\xC3\xA9 \xF0\x9F\x98\x80\xE2\x80\xA8!",
     "\xE2\x9C\x93 caf\xC3\xA9 \xF0\x9F\x98\x80\xE2\x80\xA8!"},
    {"BomInText", "\xEF\xBB\xBFx", "\xEF\xBB\xBFx"},
    {"Nul", "a\0b"s, "a\0b"s},
    {"Json", R"({"t":1712345678901234,"seq":42,"pad":"xxxx"})",
     R"({"t":1712345678901234,"seq":42,"pad":"xxxx"})"},
};

class SseRoundTrip : public ::testing::TestWithParam<RoundTripCase> {};

TEST_P(SseRoundTrip, ParsedDataEqualsNormalisedText) {
  const RoundTripCase& c = GetParam();
  for (const std::uint64_t id : {std::uint64_t{1}, std::uint64_t{4294967296}, UINT64_MAX}) {
    const SharedBuffer wire = sse_encode_event_buffer(id, c.text);
    const std::string id_text = std::to_string(id);
    const std::vector<std::string> expected{ev("message", c.normalised, id_text), last_id(id_text)};
    for (const auto& chunking : chunkings(wire.view())) {
      ASSERT_EQ(parse_chunks(chunking.chunks), expected) << "id " << id << ", chunking " << chunking.name;
    }
    std::uint64_t parsed = 0;
    ASSERT_TRUE(sse_parse_id(id_text, parsed));
    EXPECT_EQ(parsed, id);
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, SseRoundTrip, ::testing::ValuesIn(kRoundTripCases),
                         [](const ::testing::TestParamInfo<RoundTripCase>& info) { return info.param.name; });

TEST(SseRoundTrip, StreamWithEveryRecordKind) {
  std::string stream;
  sse_append_retry(stream, 3000);
  sse_append_event(stream, 5, "five");
  stream += kSseHeartbeat;
  sse_append_gap(stream, 6, 9);
  sse_append_event(stream, 10, "ten\nlines");
  sse_append_comment(stream, "note\nmore");
  sse_append_event(stream, 11, "");
  const std::vector<std::string> expected{
      retry(3000),
      ev("message", "five", "5"),
      comment(""),
      ev("gap", "6-9", "5"),  // a gap record leaves the last event id alone
      ev("message", "ten\nlines", "10"),
      comment("note"),
      comment("more"),
      ev("message", "", "11"),  // empty text is still dispatched
      last_id("11"),
  };
  for (const auto& chunking : chunkings(stream)) {
    ASSERT_EQ(parse_chunks(chunking.chunks), expected) << "chunking " << chunking.name;
  }
}

}  // namespace
}  // namespace rtb
