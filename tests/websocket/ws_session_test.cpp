// WsSession over a real loop: one end of a socketpair is the server's connection, the other the test's
// client. The loop runs between the client's writes, so each write reaches the session as a read of its own,
// and the context's reader pool shows when a session holds a reader.
#include "transports/websocket/ws_session.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "tests/websocket/ws_test_support.hpp"
#include "transports/http/http_connection.hpp"
#include "transports/net/loop.hpp"
#include "transports/net/tcp_connection.hpp"
#include "transports/pubsub/hub.hpp"
#include "transports/websocket/websocket_transport.hpp"

namespace rtb::ws_session_test {
namespace {

using ws_test::hex;
using ws_test::kBinary;
using ws_test::kClose;
using ws_test::kCont;
using ws_test::kFin;
using ws_test::kPing;
using ws_test::kPong;
using ws_test::kText;
using ws_test::raw_frame;

std::string masked(std::uint8_t b0, std::string_view payload) {
  return raw_frame(b0, payload, true);
}

struct Frame {
  std::uint8_t b0;
  std::string payload;
  bool operator==(const Frame&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Frame& f) {
  return os << "frame(b0 " << static_cast<int>(f.b0) << ", " << f.payload.size() << " B ["
            << hex(std::string_view(f.payload).substr(0, 16)) << "])";
}

// The WebSocket transport alone behind an HttpConnection, with no keepalive pings to get in the way.
class Server {
 public:
  explicit Server(StreamLimits limits = {}) : limits_(limits), ws_(hub_, config()) {
    ws_.add_routes(http_.router);
  }
  ~Server() {
    for (HttpConnection* c = http_.first; c != nullptr; c = c->next()) c->close();
    for (int turn = 0; http_.first != nullptr && turn < 16; ++turn) loop_.run(UV_RUN_NOWAIT);
  }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The client's end of a new connection (-1 on failure).
  int connect() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return -1;
    TcpConnection* connection = TcpConnection::create(loop_, limits_);
    if (connection->open_socket(fds[0]) != 0) {
      ::close(fds[0]);
      ::close(fds[1]);
      connection->close();
      return -1;
    }
    connection->set_handler(std::make_unique<HttpConnection>(http_));
    static_cast<HttpConnection*>(connection->handler())->start();
    return fds[1];
  }
  // Enough loop turns for a read, the answers it queued and their writes.
  void pump() {
    for (int turn = 0; turn < 4; ++turn) loop_.run(UV_RUN_NOWAIT);
  }
  const WsReaderPool& readers() const { return ws_.readers(); }
  std::size_t connections() const { return http_.counters.connections; }

 private:
  static WsConfig config() {
    WsConfig c;
    c.ping_interval_ms = 0;
    return c;
  }

  StreamLimits limits_;
  Loop loop_;
  Hub hub_;
  WebSocketTransport ws_;
  HttpServerContext http_;
};

class Client {
 public:
  Client(Server& server, std::string_view path) : server_(server), fd_(server.connect()) {
    if (fd_ < 0) return;
    const std::string request =
        "GET " + std::string(path) +
        " HTTP/1.1\r\nHost: test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    send_read(request);
    for (int turn = 0; turn < 50 && received_.find("\r\n\r\n") == std::string::npos; ++turn) receive();
    const std::size_t end = received_.find("\r\n\r\n");
    if (end == std::string::npos) return;
    upgraded_ = received_.starts_with("HTTP/1.1 101 ");
    received_.erase(0, end + 4);
  }
  ~Client() { disconnect(); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool upgraded() const { return upgraded_; }
  // The bytes reach the session as one read: the loop runs before the next write.
  void send_read(std::string_view bytes) {
    ASSERT_EQ(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL), static_cast<ssize_t>(bytes.size()));
    server_.pump();
  }
  // Sends `bytes` cut at `cuts` (offsets), one read per piece; `during` runs after every piece but the last.
  template <typename Fn>
  void send_in_reads(std::string_view bytes, const std::vector<std::size_t>& cuts, Fn during) {
    std::size_t from = 0;
    for (std::size_t cut : cuts) {
      send_read(bytes.substr(from, cut - from));
      during(cut);
      from = cut;
    }
    send_read(bytes.substr(from));
  }
  // The next frame the server sent; nullopt when none came.
  std::optional<Frame> next_frame() {
    for (int turn = 0; turn < 200; ++turn) {
      if (auto f = take_frame()) return f;
      receive();
    }
    return std::nullopt;
  }
  void disconnect() {
    if (fd_ < 0) return;
    ::close(fd_);
    fd_ = -1;
    server_.pump();
  }

 private:
  void receive() {
    server_.pump();
    char buf[16 * 1024];
    ssize_t n;
    while ((n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT)) > 0)
      received_.append(buf, static_cast<std::size_t>(n));
  }
  std::optional<Frame> take_frame() {
    if (received_.size() < 2) return std::nullopt;
    const auto* p = reinterpret_cast<const std::uint8_t*>(received_.data());
    std::size_t header = 2;
    std::uint64_t len = p[1] & 0x7F;
    if (len == 126) header = 4;
    if (len == 127) header = 10;
    if (received_.size() < header) return std::nullopt;
    if (header > 2) {
      len = 0;
      for (std::size_t i = 2; i < header; ++i) len = (len << 8) | p[i];
    }
    if (received_.size() < header + len) return std::nullopt;
    Frame f{p[0], received_.substr(header, static_cast<std::size_t>(len))};
    received_.erase(0, header + static_cast<std::size_t>(len));
    return f;
  }

  Server& server_;
  int fd_;
  bool upgraded_ = false;
  std::string received_;
};

std::uint16_t close_code(const Frame& f) {
  if (f.payload.size() < 2) return 0;
  return static_cast<std::uint16_t>((static_cast<std::uint8_t>(f.payload[0]) << 8) |
                                    static_cast<std::uint8_t>(f.payload[1]));
}

TEST(WsSession, HoldsAReaderOnlyWhileAFrameOrMessageSpansReads) {
  Server server;
  Client c(server, "/echo");
  ASSERT_TRUE(c.upgraded());
  EXPECT_EQ(server.readers().lent(), 0u) << "an upgraded session starts without a reader";
  c.send_read(masked(kFin | kText, "whole"));
  EXPECT_EQ(server.readers().lent(), 0u) << "a message read whole gives the reader back";
  EXPECT_EQ(server.readers().spare(), 1u);
  EXPECT_EQ(c.next_frame(), (Frame{kFin | kText, "whole"}));
}

TEST(WsSession, MessagesSplitAcrossManyReadsArriveWholeAndInOrder) {
  Server server;
  Client c(server, "/echo");
  ASSERT_TRUE(c.upgraded());
  auto holds_reader = [&](std::size_t at) {
    EXPECT_EQ(server.readers().lent(), 1u) << "between reads, after byte " << at;
  };

  // Byte by byte.
  const std::string by_byte = masked(kFin | kText, "one byte per read");
  std::vector<std::size_t> every_byte;
  for (std::size_t i = 1; i < by_byte.size(); ++i) every_byte.push_back(i);
  c.send_in_reads(by_byte, every_byte, holds_reader);
  EXPECT_EQ(server.readers().lent(), 0u);

  // A 16-bit length header cut inside the length, inside the key, then the payload in two reads.
  std::string payload(300, '\0');
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(i * 7 + 3);
  c.send_in_reads(masked(kFin | kBinary, payload), {1, 3, 5, 8, 150}, holds_reader);

  // A fragmented message over several reads, with a ping cut across reads between two of its fragments.
  const std::string first = masked(kText, "one ");
  const std::string second = masked(kCont, "two ");
  const std::string ping = masked(kFin | kPing, "still there?");
  const std::string last = masked(kFin | kCont, "three");
  const std::string fragmented = first + second + ping + last;
  const std::size_t at_ping = first.size() + second.size();
  c.send_in_reads(fragmented,
                  {first.size(), first.size() + 4, at_ping + 5, at_ping + 11, at_ping + ping.size() + 2},
                  holds_reader);

  // Whole messages and the start of the next in one read.
  const std::string next = masked(kFin | kText, "next");
  c.send_in_reads(masked(kFin | kText, "a") + masked(kFin | kText, "b") + next, {14 + 3}, holds_reader);

  const std::vector<Frame> expected = {
      {kFin | kText, "one byte per read"},
      {kFin | kBinary, payload},
      {kFin | kPong, "still there?"},
      {kFin | kText, "one two three"},
      {kFin | kText, "a"},
      {kFin | kText, "b"},
      {kFin | kText, "next"},
  };
  for (const Frame& want : expected) {
    std::optional<Frame> got = c.next_frame();
    ASSERT_TRUE(got) << "missing " << want;
    EXPECT_EQ(*got, want);
  }
  EXPECT_EQ(server.readers().lent(), 0u);
  EXPECT_EQ(server.readers().spare(), 1u) << "one reader served every read of the session";
}

// A connection that closes in the middle of a frame leaves its reader mid-frame: the next connection must get
// a reader that reads its first byte as the start of a frame.
TEST(WsSession, AReaderFromASessionClosedMidFrameIsNotReused) {
  Server server;
  {
    Client warm(server, "/echo");
    ASSERT_TRUE(warm.upgraded());
    warm.send_read(masked(kFin | kText, "warm"));
    EXPECT_EQ(warm.next_frame(), (Frame{kFin | kText, "warm"}));
  }
  ASSERT_EQ(server.readers().spare(), 1u);

  Client gone(server, "/echo");
  ASSERT_TRUE(gone.upgraded());
  gone.send_read(masked(kText, "never ") + masked(kFin | kCont, "finished").substr(0, 5));
  EXPECT_EQ(server.readers().lent(), 1u);
  EXPECT_EQ(server.readers().spare(), 0u) << "the session borrowed the spare reader";
  gone.disconnect();
  ASSERT_EQ(server.connections(), 0u);
  EXPECT_EQ(server.readers().lent(), 0u) << "the closed session gave its reader back";
  EXPECT_EQ(server.readers().spare(), 0u) << "and the pool freed it instead of keeping it mid-frame";

  Client next(server, "/echo");
  ASSERT_TRUE(next.upgraded());
  next.send_read(masked(kFin | kText, "fresh"));
  EXPECT_EQ(next.next_frame(), (Frame{kFin | kText, "fresh"}));
  EXPECT_EQ(server.readers().spare(), 1u);
  // A continuation with no message before it: the reader has nothing of the closed session's message.
  next.send_read(masked(kFin | kCont, "finished").substr(5));
  std::optional<Frame> closing = next.next_frame();
  ASSERT_TRUE(closing);
  EXPECT_EQ(closing->b0, kFin | kClose);
  EXPECT_EQ(close_code(*closing), 1002);
  EXPECT_EQ(server.readers().lent(), 0u);
  EXPECT_EQ(server.readers().spare(), 0u) << "a reader that failed is not kept";
}

// Limits differ by mode (/ws caps a message at half the send queue): a pooled reader takes its new session's.
TEST(WsSession, APooledReaderReadsWithTheLimitsOfTheSessionItIsLentTo) {
  StreamLimits limits;
  limits.max_queued_bytes = 64 * 1024;  // /ws messages up to 32 KiB
  limits.high_watermark = 16 * 1024;
  Server server(limits);
  const std::string big(40000, 'x');

  Client echo(server, "/echo");
  ASSERT_TRUE(echo.upgraded());
  echo.send_read(masked(kFin | kText, big));
  EXPECT_EQ(echo.next_frame(), (Frame{kFin | kText, big}));
  ASSERT_EQ(server.readers().spare(), 1u);

  Client pubsub(server, "/ws?channel=c");
  ASSERT_TRUE(pubsub.upgraded());
  pubsub.send_read(masked(kFin | kText, big));
  std::optional<Frame> closing = pubsub.next_frame();
  ASSERT_TRUE(closing);
  EXPECT_EQ(closing->b0, kFin | kClose);
  EXPECT_EQ(close_code(*closing), 1009);

  echo.send_read(masked(kFin | kText, big));
  EXPECT_EQ(echo.next_frame(), (Frame{kFin | kText, big}));
}

}  // namespace
}  // namespace rtb::ws_session_test
