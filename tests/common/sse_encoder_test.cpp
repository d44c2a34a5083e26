#include "transports/common/sse_encoder.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <ostream>
#include <string>
#include <string_view>

namespace rtb {
namespace {

struct EncodeCase {
  std::string name;
  std::uint64_t id;
  std::string data;
  std::string expected;
};

void PrintTo(const EncodeCase& c, std::ostream* os) {
  *os << c.name;
}

const EncodeCase kEncodeCases[] = {
    {"SingleLine", 1, "hello", "id: 1\ndata: hello\n\n"},
    {"IdZero", 0, "x", "id: 0\ndata: x\n\n"},
    {"IdMax", std::numeric_limits<std::uint64_t>::max(), "x", "id: 18446744073709551615\ndata: x\n\n"},
    {"Lf", 2, "a\nb", "id: 2\ndata: a\ndata: b\n\n"},
    {"CrLf", 3, "a\r\nb", "id: 3\ndata: a\ndata: b\n\n"},
    {"Cr", 4, "a\rb", "id: 4\ndata: a\ndata: b\n\n"},
    {"Mixed", 5, "a\r\nb\rc\nd", "id: 5\ndata: a\ndata: b\ndata: c\ndata: d\n\n"},
    {"CrCr", 6, "a\r\rb", "id: 6\ndata: a\ndata: \ndata: b\n\n"},
    {"LfCr", 7, "a\n\rb", "id: 7\ndata: a\ndata: \ndata: b\n\n"},
    {"CrLfCrLf", 8, "\r\n\r\n", "id: 8\ndata: \ndata: \ndata: \n\n"},
    {"TrailingLf", 9, "a\n", "id: 9\ndata: a\ndata: \n\n"},
    {"TrailingCr", 10, "a\r", "id: 10\ndata: a\ndata: \n\n"},
    {"OnlyLf", 11, "\n", "id: 11\ndata: \ndata: \n\n"},
    {"LeadingLf", 12, "\nb", "id: 12\ndata: \ndata: b\n\n"},
    {"Empty", 13, "", "id: 13\ndata: \n\n"},
    {"LeadingSpace", 14, " x", "id: 14\ndata:  x\n\n"},
    {"LeadingColon", 15, ":x", "id: 15\ndata: :x\n\n"},
    {"Unicode", 16, "h\xC3\xA9llo \xE2\x9C\x93 \xF0\x9F\x98\x80\xE2\x80\xA8z",
     "id: 16\ndata: h\xC3\xA9llo \xE2\x9C\x93 \xF0\x9F\x98\x80\xE2\x80\xA8z\n\n"},  // U+2028 is not a line
                                                                                    // end
    {"Tab", 17, "a\tb", "id: 17\ndata: a\tb\n\n"},
};

class SseEncodeEvent : public ::testing::TestWithParam<EncodeCase> {};

TEST_P(SseEncodeEvent, ExactBytes) {
  const EncodeCase& c = GetParam();
  std::string out(c.expected.size() + 16, '#');
  const std::size_t written = sse_encode_event(out.data(), c.id, c.data);
  EXPECT_EQ(out.substr(0, written), c.expected);
  EXPECT_EQ(out.substr(written), std::string(16, '#')) << "wrote past the record";
}

TEST_P(SseEncodeEvent, EncodedSizeMatchesBytesWritten) {
  const EncodeCase& c = GetParam();
  EXPECT_EQ(sse_event_encoded_size(c.id, c.data), c.expected.size());
}

TEST_P(SseEncodeEvent, BufferIsExactAndUnshared) {
  const EncodeCase& c = GetParam();
  const SharedBuffer buf = sse_encode_event_buffer(c.id, c.data);
  EXPECT_EQ(buf.use_count(), 1u);
  EXPECT_EQ(buf.size(), c.expected.size());
  EXPECT_EQ(buf.capacity(), c.expected.size());
  EXPECT_EQ(buf.view(), c.expected);
}

TEST_P(SseEncodeEvent, AppendKeepsWhatIsThere) {
  const EncodeCase& c = GetParam();
  std::string out = "prefix";
  sse_append_event(out, c.id, c.data);
  EXPECT_EQ(out, "prefix" + c.expected);
}

INSTANTIATE_TEST_SUITE_P(Cases, SseEncodeEvent, ::testing::ValuesIn(kEncodeCases),
                         [](const ::testing::TestParamInfo<EncodeCase>& info) { return info.param.name; });

TEST(SseEncoder, BatchOfEvents) {
  std::string out;
  sse_append_event(out, 1, "a");
  sse_append_event(out, 2, "b\nc");
  EXPECT_EQ(out, "id: 1\ndata: a\n\nid: 2\ndata: b\ndata: c\n\n");
}

TEST(SseEncoder, Gap) {
  std::string out = "x";
  sse_append_gap(out, 3, 7);
  EXPECT_EQ(out, "xevent: gap\ndata: 3-7\n\n");
  out.clear();
  sse_append_gap(out, 18446744073709551614ull, 18446744073709551615ull);
  EXPECT_EQ(out, "event: gap\ndata: 18446744073709551614-18446744073709551615\n\n");
}

TEST(SseEncoder, Retry) {
  std::string out = "x";
  sse_append_retry(out, 2000);
  EXPECT_EQ(out, "xretry: 2000\n\n");
  out.clear();
  sse_append_retry(out, 0);
  EXPECT_EQ(out, "retry: 0\n\n");
}

TEST(SseEncoder, Heartbeat) {
  EXPECT_EQ(kSseHeartbeat, ":\n\n");
}

TEST(SseEncoder, Comment) {
  std::string out;
  sse_append_comment(out, "");
  EXPECT_EQ(out, kSseHeartbeat);
  out = "x";
  sse_append_comment(out, "hi there");
  EXPECT_EQ(out, "x:hi there\n\n");
  out.clear();
  sse_append_comment(out, "a\r\nb\rc\n");
  EXPECT_EQ(out, ":a\n:b\n:c\n:\n\n");
}

}  // namespace
}  // namespace rtb
