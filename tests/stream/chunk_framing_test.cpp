// Chunk framing of the /stream body: the exact bytes of one chunk, hex sizes across digit boundaries, and an
// event encoded straight into its chunk equal to the record framed afterwards.
#include "transports/stream/chunk_framing.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "transports/common/sse_encoder.hpp"

namespace rtb {
namespace {

TEST(ChunkFraming, OneChunkIsHexSizeCrlfPayloadCrlf) {
  EXPECT_EQ(chunk_of("abc").view(), "3\r\nabc\r\n");
  EXPECT_EQ(chunk_of(":\n\n").view(), "3\r\n:\n\n\r\n");
  EXPECT_EQ(kLastChunk, "0\r\n\r\n");
}

TEST(ChunkFraming, SizesAreLowerCaseHexWithoutPadding) {
  for (std::size_t n : {1u, 9u, 10u, 15u, 16u, 255u, 256u, 4095u, 4096u, 65536u}) {
    const std::string payload(n, 'p');
    const SharedBuffer chunk = chunk_of(payload);
    char hex[32];
    std::snprintf(hex, sizeof hex, "%zx", n);
    EXPECT_EQ(chunk.view(), std::string(hex) + "\r\n" + payload + "\r\n") << n;
    EXPECT_EQ(chunk.size(), chunk_framed_size(n)) << n;
  }
}

TEST(ChunkFraming, AnEventChunkHoldsExactlyItsRecord) {
  for (std::string_view text : {"", "one", "two\nlines", "crlf\r\nand\rcr", "caf\xC3\xA9"}) {
    std::string record;
    sse_append_event(record, 42, text);
    EXPECT_EQ(chunk_of_event(42, text).view(), chunk_of(record).view()) << text;
  }
  const std::string big(70000, 'b');
  std::string record;
  sse_append_event(record, 18446744073709551615u, big);
  EXPECT_EQ(chunk_of_event(18446744073709551615u, big).view(), chunk_of(record).view());
}

}  // namespace
}  // namespace rtb
