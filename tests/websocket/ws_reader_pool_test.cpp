#include "transports/websocket/ws_reader_pool.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/websocket/ws_test_support.hpp"

namespace rtb::ws_reader_pool_test {
namespace {

using ws_test::kBinary;
using ws_test::kClose;
using ws_test::kCont;
using ws_test::kFin;
using ws_test::kPing;
using ws_test::kText;
using ws_test::raw_frame;

// What a session would hear, one line per event: "text:<payload>", "ping:<payload>", "error:<code>", ...
class Heard : public WsReaderEvents {
 public:
  void on_ws_message(WsOpcode op, std::string_view payload) override {
    lines.push_back((op == WsOpcode::kText ? "text:" : "binary:") + std::string(payload));
  }
  void on_ws_ping(std::string_view payload) override { lines.push_back("ping:" + std::string(payload)); }
  void on_ws_pong(std::string_view payload) override { lines.push_back("pong:" + std::string(payload)); }
  void on_ws_close(std::uint16_t code, std::string_view) override {
    lines.push_back("close:" + std::to_string(code));
  }
  void on_ws_error(std::uint16_t code, std::string_view) override {
    lines.push_back("error:" + std::to_string(code));
  }
  std::vector<std::string> lines;
};

std::string masked(std::uint8_t b0, std::string_view payload) {
  return raw_frame(b0, payload, true);
}

bool feed(WsReader& reader, std::string bytes) {
  return reader.feed(bytes.data(), bytes.size());
}

TEST(WsReaderPool, AReaderAtRestIsKeptAndLentAgainToTheNextBorrower) {
  WsReaderPool pool;
  Heard first;
  std::unique_ptr<WsReader> reader = pool.take(WsRole::kServer, WsLimits{}, first);
  EXPECT_EQ(pool.lent(), 1u);
  EXPECT_EQ(pool.spare(), 0u);
  ASSERT_TRUE(feed(*reader, masked(kFin | kBinary, std::string(100, 'b'))));
  const WsReader* const address = reader.get();
  pool.give(std::move(reader));
  EXPECT_EQ(pool.lent(), 0u);
  EXPECT_EQ(pool.spare(), 1u);

  // The next borrower gets the same reader, reading for it with its own limits.
  Heard second;
  reader = pool.take(WsRole::kServer, WsLimits{50, 4}, second);
  EXPECT_EQ(reader.get(), address);
  EXPECT_EQ(pool.spare(), 0u);
  EXPECT_TRUE(reader->at_rest());
  ASSERT_TRUE(feed(*reader, masked(kFin | kText, "hello")));
  EXPECT_FALSE(feed(*reader, masked(kFin | kBinary, std::string(100, 'b'))));
  EXPECT_EQ(first.lines, std::vector<std::string>{"binary:" + std::string(100, 'b')});
  EXPECT_EQ(second.lines, (std::vector<std::string>{"text:hello", "error:1009"}));
}

// A connection that closes in the middle of a frame or a message gives back a reader that is not at rest; it
// must not be lent in that state, or the next connection's first frame would be read as the rest of it.
TEST(WsReaderPool, AReaderLeftMidFrameIsFreedAndNeverLentDirty) {
  const std::vector<std::pair<const char*, std::string>> abandoned = {
      {"one header byte", masked(kFin | kText, "x").substr(0, 1)},
      {"header without its key", masked(kFin | kText, "x").substr(0, 3)},
      {"inside a payload", masked(kFin | kBinary, std::string(300, 'p')).substr(0, 100)},
      {"inside a fragmented message", masked(kText, "first ") + masked(kCont, "second ")},
      {"split ping inside a fragmented message",
       masked(kText, "first ") + masked(kFin | kPing, "ping").substr(0, 7)},
      {"failed", masked(kText, "x")},  // followed below by a frame that breaks the protocol
      {"closed", masked(kFin | kClose, std::string("\x03\xE8", 2))},
  };
  for (const auto& [name, input] : abandoned) {
    SCOPED_TRACE(name);
    WsReaderPool pool;
    // A reader at rest in the pool first, so the abandoned session borrows that one.
    Heard warm;
    std::unique_ptr<WsReader> reader = pool.take(WsRole::kServer, WsLimits{}, warm);
    pool.give(std::move(reader));
    ASSERT_EQ(pool.spare(), 1u);

    Heard gone;
    reader = pool.take(WsRole::kServer, WsLimits{}, gone);
    feed(*reader, input);
    if (std::string_view(name) == "failed") feed(*reader, masked(kFin | kText, "new message mid-message"));
    EXPECT_FALSE(reader->at_rest());
    pool.give(std::move(reader));
    EXPECT_EQ(pool.spare(), 0u) << "freed, not kept";
    EXPECT_EQ(pool.lent(), 0u);

    // The next session's frames parse from their first byte.
    Heard next;
    reader = pool.take(WsRole::kServer, WsLimits{}, next);
    EXPECT_TRUE(reader->at_rest());
    ASSERT_TRUE(feed(*reader, masked(kFin | kText, "fresh") + masked(kFin | kPing, "p")));
    EXPECT_EQ(next.lines, (std::vector<std::string>{"text:fresh", "ping:p"}));
    pool.give(std::move(reader));
    EXPECT_EQ(pool.spare(), 1u);
  }
}

TEST(WsReaderPool, KeepsAtMostMaxSpareReaders) {
  WsReaderPool pool;
  Heard heard;
  std::vector<std::unique_ptr<WsReader>> readers;
  for (std::size_t i = 0; i < WsReaderPool::kMaxSpare + 10; ++i)
    readers.push_back(pool.take(WsRole::kServer, WsLimits{}, heard));
  EXPECT_EQ(pool.lent(), WsReaderPool::kMaxSpare + 10);
  for (auto& reader : readers) pool.give(std::move(reader));
  EXPECT_EQ(pool.spare(), WsReaderPool::kMaxSpare);
  EXPECT_EQ(pool.lent(), 0u);
  // The spares are lent before anything new is made.
  readers.clear();
  for (std::size_t i = 0; i < 3; ++i) readers.push_back(pool.take(WsRole::kServer, WsLimits{}, heard));
  EXPECT_EQ(pool.spare(), WsReaderPool::kMaxSpare - 3);
}

TEST(WsReaderPool, ALargeReassemblyBufferDoesNotStayInThePool) {
  WsReaderPool pool;
  Heard heard;
  // 40 KB in two fragments: within WsReader::kKeepCapacity, so the reader itself would keep the buffer.
  std::unique_ptr<WsReader> reader = pool.take(WsRole::kServer, WsLimits{}, heard);
  ASSERT_TRUE(feed(*reader,
                   masked(kBinary, std::string(20000, 'a')) + masked(kFin | kCont, std::string(20000, 'b'))));
  ASSERT_GE(reader->buffer_capacity(), 40000u);
  ASSERT_LE(reader->buffer_capacity(), WsReader::kKeepCapacity);
  pool.give(std::move(reader));
  reader = pool.take(WsRole::kServer, WsLimits{}, heard);
  EXPECT_EQ(reader->buffer_capacity(), 0u);

  // A small one is kept for the next split message.
  ASSERT_TRUE(
      feed(*reader, masked(kBinary, std::string(1000, 'a')) + masked(kFin | kCont, std::string(1000, 'b'))));
  const std::size_t small = reader->buffer_capacity();
  ASSERT_GE(small, 2000u);
  ASSERT_LE(small, WsReaderPool::kMaxSpareBuffer);
  pool.give(std::move(reader));
  reader = pool.take(WsRole::kServer, WsLimits{}, heard);
  EXPECT_EQ(reader->buffer_capacity(), small);
  EXPECT_EQ(heard.lines.size(), 2u);
}

}  // namespace
}  // namespace rtb::ws_reader_pool_test
