#include "transports/common/utf8_validator.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/websocket/ws_test_support.hpp"

namespace rtb {
namespace {

using ws_test::bytes;
using ws_test::hex;

// An independent, deliberately plain decoder used as the reference: decode each code point, then reject by
// the rules of RFC 3629 (shortest form, no surrogates, nothing above U+10FFFF).
bool reference_valid(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<std::uint8_t>(s[i]);
    std::size_t n;
    std::uint32_t cp;
    if (b < 0x80) {
      ++i;
      continue;
    } else if ((b & 0xE0) == 0xC0) {
      n = 2;
      cp = b & 0x1F;
    } else if ((b & 0xF0) == 0xE0) {
      n = 3;
      cp = b & 0x0F;
    } else if ((b & 0xF8) == 0xF0) {
      n = 4;
      cp = b & 0x07;
    } else {
      return false;
    }
    if (i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      const auto c = static_cast<std::uint8_t>(s[i + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3F);
    }
    const std::uint32_t min_cp = n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
    if (cp < min_cp || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n;
  }
  return true;
}

// The index of the byte at which feeding one byte at a time first returns false, if any.
std::optional<std::size_t> fail_position(std::string_view s) {
  Utf8Validator v;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!v.feed(s.substr(i, 1))) return i;
  }
  return std::nullopt;
}

const std::vector<std::string>& valid_samples() {
  static const std::vector<std::string> samples = {
      "",
      "Hello, world",
      "abcdefghijklmnopqrstuvwxyz0123456789",
      bytes({0x00, 0x7F}),
      bytes({0xC2, 0x80}),                             // U+0080, smallest 2-byte
      bytes({0xDF, 0xBF}),                             // U+07FF
      bytes({0xE0, 0xA0, 0x80}),                       // U+0800, smallest 3-byte
      bytes({0xED, 0x9F, 0xBF}),                       // U+D7FF, just below the surrogates
      bytes({0xEE, 0x80, 0x80}),                       // U+E000, just above them
      bytes({0xEF, 0xBF, 0xBF}),                       // U+FFFF
      bytes({0xF0, 0x90, 0x80, 0x80}),                 // U+10000, smallest 4-byte
      bytes({0xF4, 0x8F, 0xBF, 0xBF}),                 // U+10FFFF, the largest code point
      "\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5",  // "κόσμε"
      "Hello-\xC2\xB5@\xC3\x9F\xC3\xB6\xC3\xA4\xC3\xBC\xC3\xA0\xC3\xA1-UTF-8!!",
      "0123456789abcdef\xF0\x9F\x98\x80 0123456789abcdef",  // a 4-byte emoji between ASCII runs
  };
  return samples;
}

struct InvalidCase {
  std::string input;
  std::optional<std::size_t> fails_at;  // nullopt: only truncated, never rejected while feeding
};

const std::vector<InvalidCase>& invalid_samples() {
  static const std::vector<InvalidCase> samples = {
      {bytes({0xC0, 0x80}), 0},  // overlong NUL: C0 can never appear
      {bytes({0xC1, 0xBF}), 0},
      {bytes({0xE0, 0x80, 0x80}), 1},  // overlong 3-byte, known at the second byte
      {bytes({0xE0, 0x9F, 0xBF}), 1},
      {bytes({0xF0, 0x80, 0x80, 0x80}), 1},  // overlong 4-byte
      {bytes({0xF0, 0x8F, 0xBF, 0xBF}), 1},
      {bytes({0xED, 0xA0, 0x80}), 1},        // U+D800
      {bytes({0xED, 0xBF, 0xBF}), 1},        // U+DFFF
      {bytes({0xF4, 0x90, 0x80, 0x80}), 1},  // U+110000
      {bytes({0xF5, 0x80, 0x80, 0x80}), 0},
      {bytes({0xF8, 0x88, 0x80, 0x80, 0x80}), 0},
      {bytes({0xFE}), 0},
      {bytes({0xFF}), 0},
      {bytes({0x80}), 0},  // lone continuation bytes
      {bytes({0xBF}), 0},
      {"ab" + bytes({0x80}), 2},
      {bytes({0xCE, 0xBA, 0xBA}), 2},
      {bytes({0xC2, 0x41}), 1},  // lead byte followed by ASCII
      {bytes({0xE2, 0x82, 0x41}), 2},
      {"abcdefg" + bytes({0xFF}), 7},  // inside the first 8-byte ASCII block
      {"0123456789abcdef0123" + bytes({0xC0}), 20},
      {bytes({0xC2}), std::nullopt},  // truncated sequences
      {bytes({0xE2, 0x82}), std::nullopt},
      {bytes({0xF0, 0x9F, 0x98}), std::nullopt},
      {"0123456789" + bytes({0xF4, 0x8F}), std::nullopt},
  };
  return samples;
}

TEST(Utf8Validator, AcceptsValidSamples) {
  for (const auto& s : valid_samples()) {
    EXPECT_TRUE(is_valid_utf8(s)) << hex(s);
    Utf8Validator v;
    EXPECT_TRUE(v.feed(s)) << hex(s);
    EXPECT_TRUE(v.at_boundary()) << hex(s);
    EXPECT_FALSE(v.failed());
  }
}

TEST(Utf8Validator, RejectsInvalidSamples) {
  for (const auto& c : invalid_samples()) {
    EXPECT_FALSE(is_valid_utf8(c.input)) << hex(c.input);
    EXPECT_FALSE(reference_valid(c.input)) << "bad test data: " << hex(c.input);
  }
}

TEST(Utf8Validator, FailsFastAtTheFirstImpossibleByte) {
  for (const auto& c : invalid_samples()) {
    EXPECT_EQ(fail_position(c.input), c.fails_at) << hex(c.input);
    Utf8Validator whole;
    EXPECT_EQ(whole.feed(c.input), !c.fails_at.has_value()) << hex(c.input);
    if (!c.fails_at) {
      EXPECT_FALSE(whole.at_boundary()) << hex(c.input);
    }
  }
}

TEST(Utf8Validator, ValidSamplesNeverFailWhileFedByteByByte) {
  for (const auto& s : valid_samples()) EXPECT_EQ(fail_position(s), std::nullopt) << hex(s);
}

TEST(Utf8Validator, SplitAtEveryBoundaryGivesTheSameVerdict) {
  std::vector<std::string> all = valid_samples();
  for (const auto& c : invalid_samples()) all.push_back(c.input);
  for (const auto& s : all) {
    const bool expected = is_valid_utf8(s);
    for (std::size_t i = 0; i <= s.size(); ++i) {
      for (std::size_t j = i; j <= s.size(); ++j) {
        Utf8Validator v;
        const bool fed = v.feed(std::string_view(s).substr(0, i)) &&
                         v.feed(std::string_view(s).substr(i, j - i)) &&
                         v.feed(std::string_view(s).substr(j));
        ASSERT_EQ(fed && v.at_boundary(), expected) << hex(s) << " split " << i << "," << j;
      }
    }
  }
}

TEST(Utf8Validator, BoundaryTracksMultibyteSequences) {
  Utf8Validator v;
  EXPECT_TRUE(v.at_boundary());
  EXPECT_TRUE(v.feed("\xF0\x9F"));
  EXPECT_FALSE(v.at_boundary());
  EXPECT_TRUE(v.feed("\x98"));
  EXPECT_FALSE(v.at_boundary());
  EXPECT_TRUE(v.feed("\x80"));
  EXPECT_TRUE(v.at_boundary());
}

TEST(Utf8Validator, StaysFailedUntilReset) {
  Utf8Validator v;
  EXPECT_FALSE(v.feed("\xFF"));
  EXPECT_TRUE(v.failed());
  EXPECT_FALSE(v.feed("abc"));
  EXPECT_FALSE(v.feed(""));
  EXPECT_FALSE(v.at_boundary());
  v.reset();
  EXPECT_TRUE(v.feed("abc"));
  EXPECT_TRUE(v.at_boundary());
}

TEST(Utf8Validator, AgreesWithReferenceOnAllOneAndTwoByteInputs) {
  for (int a = 0; a < 256; ++a) {
    const std::string one = bytes({a});
    ASSERT_EQ(is_valid_utf8(one), reference_valid(one)) << hex(one);
    for (int b = 0; b < 256; ++b) {
      const std::string two = bytes({a, b});
      ASSERT_EQ(is_valid_utf8(two), reference_valid(two)) << hex(two);
    }
  }
}

TEST(Utf8Validator, AgreesWithReferenceOnThreeAndFourByteInputs) {
  // Every lead and second byte, with the remaining bytes drawn from the edges of each byte class.
  const int edges[] = {0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xE0, 0xF4, 0xFF};
  for (int a = 0xC0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) {
      for (int c : edges) {
        const std::string three = bytes({a, b, c});
        ASSERT_EQ(is_valid_utf8(three), reference_valid(three)) << hex(three);
        for (int d : edges) {
          const std::string four = bytes({a, b, c, d});
          ASSERT_EQ(is_valid_utf8(four), reference_valid(four)) << hex(four);
        }
      }
    }
  }
}

TEST(Utf8Validator, LongAsciiRunsWithInvalidByteAtEveryPosition) {
  for (std::size_t len = 1; len <= 40; ++len) {
    for (std::size_t bad = 0; bad < len; ++bad) {
      std::string s(len, 'x');
      s[bad] = static_cast<char>(0x80);
      ASSERT_FALSE(is_valid_utf8(s)) << len << " " << bad;
      ASSERT_EQ(fail_position(s), bad);
    }
    ASSERT_TRUE(is_valid_utf8(std::string(len, 'x')));
  }
}

}  // namespace
}  // namespace rtb
