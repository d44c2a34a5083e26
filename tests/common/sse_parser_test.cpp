#include "transports/common/sse_parser.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "tests/common/sse_test_util.hpp"

namespace rtb {
namespace {

using sse_test::chunkings;
using sse_test::comment;
using sse_test::ev;
using sse_test::kFailed;
using sse_test::last_id;
using sse_test::parse_chunks;
using sse_test::Recorder;
using sse_test::retry;

using namespace std::string_literals;  // "..."s keeps embedded NULs

struct ParseCase {
  std::string name;
  std::string input;
  std::vector<std::string> expected;  // callbacks in order, then last_id(...), then "failed" if it failed
  std::size_t max_bytes = kSseMaxEventBytes;
};

void PrintTo(const ParseCase& c, std::ostream* os) {
  *os << c.name;
}

class SseParserRules : public ::testing::TestWithParam<ParseCase> {};

TEST_P(SseParserRules, SameOutputForEveryChunking) {
  const ParseCase& c = GetParam();
  for (const auto& chunking : chunkings(c.input)) {
    EXPECT_EQ(parse_chunks(chunking.chunks, c.max_bytes), c.expected) << "chunking " << chunking.name;
  }
}

const std::string kBom = "\xEF\xBB\xBF";
const std::string kUint64Max = std::to_string(std::numeric_limits<std::uint64_t>::max());

const ParseCase kParseCases[] = {
    {"SingleEvent", "id: 1\ndata: hello\n\n", {ev("message", "hello", "1"), last_id("1")}},
    {"EmptyStream", "", {last_id("")}},
    // BOM: skipped once, only at the very start of the stream.
    {"BomSkippedAtStart", kBom + "data: a\n\n", {ev("message", "a", ""), last_id("")}},
    {"SecondBomIsPartOfFieldName",
     kBom + kBom + "data: a\n\ndata: b\n\n",
     {ev("message", "b", ""), last_id("")}},
    {"BomAfterStartIsContent", "data: a\n\n" + kBom + "data: b\n\n", {ev("message", "a", ""), last_id("")}},
    {"BomAfterStartInValueIsKept", "data: " + kBom + "x\n\n", {ev("message", kBom + "x", ""), last_id("")}},
    {"PartialBomIsContent",
     "\xEF\xBB"
     "data: a\n\ndata: b\n\n",
     {ev("message", "b", ""), last_id("")}},
    {"PartialBomThenComment", "\xEF:x\n", {last_id("")}},
    {"BomThenComment", kBom + ":x\n", {comment("x"), last_id("")}},
    // Line ends: LF, CRLF, CR, mixed; CRLF is one line end even when split across chunks.
    {"LineEndLf", "data: a\ndata: b\n\n", {ev("message", "a\nb", ""), last_id("")}},
    {"LineEndCrLf", "data: a\r\ndata: b\r\n\r\n", {ev("message", "a\nb", ""), last_id("")}},
    {"LineEndCr", "data: a\rdata: b\r\r", {ev("message", "a\nb", ""), last_id("")}},
    {"LineEndMixed", "data: a\rdata: b\r\ndata: c\n\r\n", {ev("message", "a\nb\nc", ""), last_id("")}},
    {"LfCrIsTwoLineEnds",
     "data: a\n\rdata: b\n\n",
     {ev("message", "a", ""), ev("message", "b", ""), last_id("")}},
    {"CrCrIsTwoLineEnds",
     "data: a\r\rdata: b\r\r",
     {ev("message", "a", ""), ev("message", "b", ""), last_id("")}},
    {"CrLfLfIsTwoLineEnds",
     "data: a\r\n\ndata: b\n\n",
     {ev("message", "a", ""), ev("message", "b", ""), last_id("")}},
    {"StreamEndingInCr", "data: a\r\r", {ev("message", "a", ""), last_id("")}},
    // Data.
    {"MultiLineData", "data: a\ndata: b\ndata: c\n\n", {ev("message", "a\nb\nc", ""), last_id("")}},
    {"OnlyOneTrailingLfRemoved", "data: a\ndata:\n\n", {ev("message", "a\n", ""), last_id("")}},
    {"EmptyDataLineDispatches", "data: \n\n", {ev("message", "", ""), last_id("")}},
    {"TwoEmptyDataLines", "data\ndata\n\n", {ev("message", "\n", ""), last_id("")}},
    {"ColonInValueKept", "data: a:b: c\n\n", {ev("message", "a:b: c", ""), last_id("")}},
    {"NulInDataKept", "data: a\0b\n\n"s, {ev("message", "a\0b"s, ""), last_id("")}},
    {"EventWithoutDataNotDispatched", "event: foo\nid: 3\n\n", {last_id("3")}},
    {"TypeResetAfterUndispatchedEvent", "event: foo\n\ndata: a\n\n", {ev("message", "a", ""), last_id("")}},
    {"ManyBlankLines", "\n\n\ndata: a\n\n\n\n", {ev("message", "a", ""), last_id("")}},
    // Field/value split: one optional space after the colon.
    {"ValueWithoutSpace", "data:x\n\n", {ev("message", "x", ""), last_id("")}},
    {"ValueWithOneSpace", "data: x\n\n", {ev("message", "x", ""), last_id("")}},
    {"ValueWithTwoSpaces", "data:  x\n\n", {ev("message", " x", ""), last_id("")}},
    {"TabIsNotStripped", "data:\tx\n\n", {ev("message", "\tx", ""), last_id("")}},
    {"TrailingSpaceKept", "data: x \n\n", {ev("message", "x ", ""), last_id("")}},
    {"NoColonIsFieldWithEmptyValue", "data\n\n", {ev("message", "", ""), last_id("")}},
    {"SpaceBeforeColonIsOtherField", "data : x\n\n", {last_id("")}},
    {"FieldNamesAreCaseSensitive", "DATA: x\nData: y\n\n", {last_id("")}},
    {"UnknownFieldsIgnored", "foo: bar\ndata: a\nbaz\nretryx: 5\n\n", {ev("message", "a", ""), last_id("")}},
    // Event type.
    {"TypeDefaultsToMessage", "data: a\n\n", {ev("message", "a", ""), last_id("")}},
    {"EventFieldSetsType", "event: add\ndata: 1\n\n", {ev("add", "1", ""), last_id("")}},
    {"LastEventFieldWins", "event: a\nevent: b\ndata: 1\n\n", {ev("b", "1", ""), last_id("")}},
    {"EmptyEventFieldMeansMessage", "event: x\nevent:\ndata: 1\n\n", {ev("message", "1", ""), last_id("")}},
    {"TypeDoesNotPersist",
     "event: x\ndata: 1\n\ndata: 2\n\n",
     {ev("x", "1", ""), ev("message", "2", ""), last_id("")}},
    {"GapRecord",
     "id: 2\ndata: a\n\nevent: gap\ndata: 3-7\n\nid: 8\ndata: b\n\n",
     {ev("message", "a", "2"), ev("gap", "3-7", "2"), ev("message", "b", "8"), last_id("8")}},
    // Id.
    {"IdPersistsAcrossEvents",
     "id: 1\ndata: a\n\ndata: b\n\n",
     {ev("message", "a", "1"), ev("message", "b", "1"), last_id("1")}},
    {"IdAfterDataStillApplies", "data: a\nid: 4\n\n", {ev("message", "a", "4"), last_id("4")}},
    {"LastIdFieldWins", "id: 1\nid: 2\ndata: a\n\n", {ev("message", "a", "2"), last_id("2")}},
    {"IdInUnterminatedEventIgnored",
     "id: 1\ndata: a\n\nid: 2\ndata: b\n",
     {ev("message", "a", "1"), last_id("1")}},
    {"IdLineAloneUnterminated", "id: 9\n", {last_id("")}},
    {"IdWithBlankLineUpdatesLastId", "id: 7\n\n", {last_id("7")}},
    {"EmptyIdResets",
     "id: 1\ndata: a\n\nid:\ndata: b\n\n",
     {ev("message", "a", "1"), ev("message", "b", ""), last_id("")}},
    {"BareIdResets",
     "id: 1\ndata: a\n\nid\ndata: b\n\n",
     {ev("message", "a", "1"), ev("message", "b", ""), last_id("")}},
    {"IdWithNulIgnored",
     "id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n"s,
     {ev("message", "a", "1"), ev("message", "b", "1"), last_id("1")}},
    {"IdWithSpacesKept", "id:  a b \ndata: x\n\n", {ev("message", "x", " a b "), last_id(" a b ")}},
    {"IdOnlyTakesEffectAtDispatchEvenWithoutData",
     "id: 1\ndata: a\n\nid: 2\n\n",
     {ev("message", "a", "1"), last_id("2")}},
    // Retry: only ASCII digits.
    {"Retry", "retry: 1500\n", {retry(1500), last_id("")}},
    {"RetryZero", "retry: 0\n", {retry(0), last_id("")}},
    {"RetryNoSpace", "retry:20\n", {retry(20), last_id("")}},
    {"RetryWithLetterIgnored", "retry: 12a\n", {last_id("")}},
    {"RetryEmptyIgnored", "retry:\nretry: \nretry\n", {last_id("")}},
    {"RetryExtraSpaceIgnored", "retry:  5\n", {last_id("")}},
    {"RetrySignIgnored", "retry: +5\nretry: -5\n", {last_id("")}},
    {"RetrySaturates",
     "retry: 99999999999999999999999\n",
     {retry(std::numeric_limits<std::uint64_t>::max()), last_id("")}},
    {"RetryMax",
     "retry: " + kUint64Max + "\n",
     {retry(std::numeric_limits<std::uint64_t>::max()), last_id("")}},
    {"RetryDoesNotNeedBlankLine", "retry: 5\ndata: a\n\n", {retry(5), ev("message", "a", ""), last_id("")}},
    // Comments.
    {"HeartbeatComment", ":\n\n", {comment(""), last_id("")}},
    {"CommentTextVerbatim", ": hello\n:x:y\n", {comment(" hello"), comment("x:y"), last_id("")}},
    {"CommentInsideEvent",
     "data: a\n:c\ndata: b\n\n",
     {comment("c"), ev("message", "a\nb", ""), last_id("")}},
    {"CommentWithCrLf", ":a\r\n:b\r\n", {comment("a"), comment("b"), last_id("")}},
    // End of stream.
    {"UnterminatedEventDropped", "data: a\n\ndata: b\n", {ev("message", "a", ""), last_id("")}},
    {"UnterminatedLineDropped", "data: a\n\ndata: b", {ev("message", "a", ""), last_id("")}},
    {"UnterminatedCommentDropped", ":x", {last_id("")}},
    // Limits (max_bytes 8): a line or the data buffer past the bound fails; up to it is fine.
    {"LineAtLimit", "data:123\n\n", {ev("message", "123", ""), last_id("")}, 8},
    {"LineOverLimit", "data:1234\n\ndata: z\n\n", {last_id(""), std::string(kFailed)}, 8},
    {"UnterminatedLineOverLimit",
     "data: a\n\n:123456789",
     {ev("message", "a", ""), last_id(""), std::string(kFailed)},
     8},
    {"DataAtLimit", "data:123\ndata:123\n\n", {ev("message", "123\n123", ""), last_id("")}, 8},
    {"DataOverLimit",
     "data: a\n\ndata:123\ndata:123\ndata:\n\n",
     {ev("message", "a", ""), last_id(""), std::string(kFailed)},
     8},
    {"IgnoresInputAfterFailure",
     "id: 1\ndata: a\n\n:123456789\nid: 2\ndata: b\n\n",
     {ev("message", "a", "1"), last_id("1"), std::string(kFailed)},
     8},
};

INSTANTIATE_TEST_SUITE_P(Cases, SseParserRules, ::testing::ValuesIn(kParseCases),
                         [](const ::testing::TestParamInfo<ParseCase>& info) { return info.param.name; });

TEST(SseParser, CrAtChunkEndThenLfIsOneLineEnd) {
  Recorder rec;
  SseParser parser(rec);
  parser.feed("data: a\r");
  parser.feed("\ndata: b\r");
  parser.feed("\n\r");
  EXPECT_EQ(rec.log, (std::vector<std::string>{ev("message", "a\nb", "")}));
}

TEST(SseParser, CrAtChunkEndThenOtherByte) {
  Recorder rec;
  SseParser parser(rec);
  parser.feed("data: a\r");
  parser.feed("data: b\r");
  parser.feed("\r");
  EXPECT_EQ(rec.log, (std::vector<std::string>{ev("message", "a\nb", "")}));
}

TEST(SseParser, EmptyFeedKeepsPendingCr) {
  Recorder rec;
  SseParser parser(rec);
  parser.feed("data: a\r");
  parser.feed("");
  parser.feed("\n\n");
  EXPECT_EQ(rec.log, (std::vector<std::string>{ev("message", "a", "")}));
}

TEST(SseParser, LastEventIdVisibleOnlyAfterDispatch) {
  Recorder rec;
  SseParser parser(rec);
  parser.feed("id: 1\ndata: a\n\nid: 2\ndata: b\n");
  EXPECT_EQ(parser.last_event_id(), "1");
  parser.feed("\n");
  EXPECT_EQ(parser.last_event_id(), "2");
}

TEST(SseParser, BufferedBytes) {
  Recorder rec;
  SseParser parser(rec);
  EXPECT_EQ(parser.buffered_bytes(), 0u);
  parser.feed("\xEF\xBB");  // a BOM in progress is held back
  EXPECT_EQ(parser.buffered_bytes(), 2u);
  parser.feed("\xBF");
  EXPECT_EQ(parser.buffered_bytes(), 0u);
  parser.feed("data: ab");  // incomplete line
  EXPECT_EQ(parser.buffered_bytes(), 8u);
  parser.feed("\nevent: t\n");  // data buffer "ab\n" + type "t"
  EXPECT_EQ(parser.buffered_bytes(), 4u);
  parser.feed("\n");
  EXPECT_EQ(parser.buffered_bytes(), 0u);
  EXPECT_EQ(rec.log, (std::vector<std::string>{ev("t", "ab", "")}));
}

TEST(SseParser, FinishKeepsLastEventIdAndStartsNewStream) {
  Recorder rec;
  SseParser parser(rec);
  parser.feed("id: 3\ndata: a\n\nid: 4\ndata: lost\n");
  parser.finish();
  EXPECT_EQ(parser.last_event_id(), "3");
  EXPECT_EQ(parser.buffered_bytes(), 0u);
  // A reconnect: the BOM is skipped again and an id-less record keeps the id the stream resumed from.
  parser.feed(
      "\xEF\xBB\xBF"
      "data: b\n\n");
  EXPECT_EQ(rec.log, (std::vector<std::string>{ev("message", "a", "3"), ev("message", "b", "3")}));
  EXPECT_EQ(parser.last_event_id(), "3");
}

TEST(SseParser, FinishDropsPendingCr) {
  Recorder rec;
  SseParser parser(rec);
  parser.feed("data: a\r");
  parser.finish();
  parser.feed("\ndata: b\n\n");  // new stream: the LF is an empty line of its own, not the end of a CRLF
  EXPECT_EQ(rec.log, (std::vector<std::string>{ev("message", "b", "")}));
}

TEST(SseParser, ResetForgetsIdAndFailure) {
  Recorder rec;
  SseParser parser(rec, 8);
  parser.feed("id: 1\ndata: a\n\n:123456789\n");
  EXPECT_TRUE(parser.failed());
  EXPECT_EQ(parser.buffered_bytes(), 0u);
  parser.feed("data: x\n\n");
  parser.finish();
  EXPECT_TRUE(parser.failed());
  parser.reset();
  EXPECT_FALSE(parser.failed());
  EXPECT_EQ(parser.last_event_id(), "");
  parser.feed("data: b\n\n");
  EXPECT_EQ(rec.log, (std::vector<std::string>{ev("message", "a", "1"), ev("message", "b", "")}));
}

TEST(SseParser, LargeEventWithinDefaultLimit) {
  const std::string big(700 * 1024, 'x');
  Recorder rec;
  SseParser parser(rec);
  parser.feed("data: " + big + "\ndata: " + big.substr(0, 100) + "\n\n");
  ASSERT_FALSE(parser.failed());
  ASSERT_EQ(rec.log.size(), 1u);
  EXPECT_EQ(rec.log[0], ev("message", big + "\n" + big.substr(0, 100), ""));
  parser.feed("data: " + big + "\ndata: " + big + "\n\n");  // 1.4 MiB of data: over the default bound
  EXPECT_TRUE(parser.failed());
  EXPECT_EQ(rec.log.size(), 1u);
}

TEST(SseParser, ManyEventsInOneChunk) {
  std::string stream;
  for (int i = 1; i <= 1000; ++i)
    stream += "id: " + std::to_string(i) + "\ndata: p" + std::to_string(i) + "\n\n";
  Recorder rec;
  SseParser parser(rec);
  parser.feed(stream);
  ASSERT_EQ(rec.log.size(), 1000u);
  EXPECT_EQ(rec.log[0], ev("message", "p1", "1"));
  EXPECT_EQ(rec.log[999], ev("message", "p1000", "1000"));
  EXPECT_EQ(parser.buffered_bytes(), 0u);
}

struct ParseIdCase {
  std::string name;
  std::string text;
  bool ok;
  std::uint64_t value;
};

void PrintTo(const ParseIdCase& c, std::ostream* os) {
  *os << c.name;
}

class SseParseId : public ::testing::TestWithParam<ParseIdCase> {};

TEST_P(SseParseId, Parses) {
  const ParseIdCase& c = GetParam();
  std::uint64_t out = 12345;
  EXPECT_EQ(sse_parse_id(c.text, out), c.ok);
  EXPECT_EQ(out, c.ok ? c.value : 12345u) << "out is untouched on failure";
}

const ParseIdCase kIdCases[] = {
    {"One", "1", true, 1},
    {"Zero", "0", true, 0},
    {"LeadingZeros", "007", true, 7},
    {"Large", "1234567890123", true, 1234567890123ull},
    {"Max", kUint64Max, true, std::numeric_limits<std::uint64_t>::max()},
    {"MaxPlusOne", "18446744073709551616", false, 0},
    {"TwentyOneDigits", "100000000000000000000", false, 0},
    {"Empty", "", false, 0},
    {"Plus", "+1", false, 0},
    {"Minus", "-1", false, 0},
    {"LeadingSpace", " 1", false, 0},
    {"TrailingSpace", "1 ", false, 0},
    {"Letter", "12a", false, 0},
    {"Hex", "0x10", false, 0},
    {"Nul", "1\0"s, false, 0},
};

INSTANTIATE_TEST_SUITE_P(Cases, SseParseId, ::testing::ValuesIn(kIdCases),
                         [](const ::testing::TestParamInfo<ParseIdCase>& info) { return info.param.name; });

}  // namespace
}  // namespace rtb
