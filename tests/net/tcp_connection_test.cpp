// TcpConnection and TcpListener on a real loop, with a plain non-blocking client socket driven from the same
// thread: write-queue accounting, the hard limit, coalescing per loop turn, ordering across partial writes,
// close_after_writes, EOF, and the listener's connection cap.
#include "transports/net/tcp_connection.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/net/run_until.hpp"
#include "transports/net/loop.hpp"
#include "transports/net/tcp_listener.hpp"

namespace rtb::test {
namespace {

// What the server side of one connection saw.
struct Observed {
  std::string data;
  int eof = 0;
  int drained = 0;
  int closed = 0;
};

class RecordingHandler : public StreamHandler {
 public:
  explicit RecordingHandler(Observed& seen) : seen_(seen) {}
  void on_stream_data(char* data, std::size_t len) override { seen_.data.append(data, len); }
  void on_stream_eof() override {
    ++seen_.eof;
    StreamHandler::on_stream_eof();
  }
  void on_stream_drained() override { ++seen_.drained; }
  void on_stream_closed() override { ++seen_.closed; }

 private:
  Observed& seen_;
};

// A non-blocking client socket; closed by its destructor.
class Client {
 public:
  explicit Client(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    // The listener's backlog completes the handshake even though the loop is not running yet.
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
  }
  ~Client() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool connected() const { return connected_; }
  // Reads whatever is available now; returns false once the peer has closed.
  bool drain() {
    char buf[65536];
    for (;;) {
      ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n > 0) {
        received.append(buf, static_cast<std::size_t>(n));
        continue;
      }
      if (n == 0) eof = true;
      return !eof;
    }
  }
  bool readable_now() const {
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, 0) > 0;
  }
  void send(std::string_view bytes) {
    ASSERT_EQ(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL), static_cast<ssize_t>(bytes.size()));
  }
  void shutdown_write() { ::shutdown(fd_, SHUT_WR); }
  std::string received;
  bool eof = false;

 private:
  int fd_ = -1;
  bool connected_ = false;
};

// A listener on 127.0.0.1:free port whose accepted connections record into `observed` (one per connection).
struct Fixture {
  explicit Fixture(StreamLimits limits = {}, std::uint64_t max_connections = 0)
      : listener(
            loop, make_config(limits, max_connections),
            [this](TcpConnection& c) {
              observed.push_back(std::make_unique<Observed>());
              c.set_handler(std::make_unique<RecordingHandler>(*observed.back()));
              c.start_reading();
              accepted.push_back(&c);
            },
            [this](TcpConnection& c) {
              ++refused;
              c.write_copy("busy\n");
              c.close_after_writes();  // the refuse callback owns the connection
            }) {
    EXPECT_EQ(listener.listen(), 0);
    port = listener.bound_port();
  }
  static ListenerConfig make_config(StreamLimits limits, std::uint64_t max_connections) {
    ListenerConfig config;
    config.host = "127.0.0.1";
    config.port = 0;
    config.max_connections = max_connections;
    config.connection_limits = limits;
    return config;
  }
  bool accept_n(std::size_t n) {
    return run_until(loop, [&] { return accepted.size() >= n; });
  }

  // Declared before the loop: the loop's destructor closes what is still open, and those handlers record
  // into `observed` as they close.
  std::vector<std::unique_ptr<Observed>> observed;
  std::vector<TcpConnection*> accepted;  // valid until each one's on_stream_closed
  int refused = 0;
  int port = 0;
  Loop loop;
  TcpListener listener;
};

std::string pattern(std::size_t n, std::size_t seed) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + seed) % 26);
  return s;
}

TEST(TcpConnection, QueueAccountingReturnsToZeroAndBytesArriveInOrder) {
  Fixture f;
  Client client(f.port);
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(f.accept_n(1));
  TcpConnection& c = *f.accepted[0];
  EXPECT_EQ(c.queued_bytes(), 0u);
  EXPECT_EQ(c.write_copy("alpha,"), WriteResult::kOk);
  EXPECT_EQ(c.write(SharedBuffer::copy_of("beta,")), WriteResult::kOk);
  EXPECT_EQ(c.write_copy(""), WriteResult::kOk);  // nothing to queue
  EXPECT_EQ(c.write_copy("gamma"), WriteResult::kOk);
  EXPECT_EQ(c.queued_bytes(), 16u);
  std::uint64_t out_before = f.loop.counters().bytes_out;
  ASSERT_TRUE(run_until(f.loop, [&] {
    client.drain();
    return client.received.size() >= 16;
  }));
  EXPECT_EQ(client.received, "alpha,beta,gamma");
  EXPECT_EQ(c.queued_bytes(), 0u);
  EXPECT_EQ(f.loop.counters().bytes_out - out_before, 16u);
}

TEST(TcpConnection, WritesOfOneLoopTurnAreFlushedTogetherAtItsEnd) {
  Fixture f;
  Client client(f.port);
  ASSERT_TRUE(f.accept_n(1));
  TcpConnection& c = *f.accepted[0];
  std::string expected;
  for (int i = 0; i < 10; ++i) {
    std::string piece = "[" + std::to_string(i) + "]";
    expected += piece;
    c.write_copy(piece);
  }
  // Nothing went to the socket during the turn: the writes wait for the flush before the loop blocks.
  EXPECT_FALSE(client.readable_now());
  EXPECT_EQ(c.queued_bytes(), expected.size());
  uv_run(f.loop.get(), UV_RUN_NOWAIT);  // one turn: its check/prepare phase flushes
  EXPECT_EQ(c.queued_bytes(), 0u);
  ASSERT_TRUE(run_until(f.loop, [&] {
    client.drain();
    return client.received.size() >= expected.size();
  }));
  EXPECT_EQ(client.received, expected);
}

TEST(TcpConnection, HardLimitRefusesWritesAndHighWatermarkSignalsBackpressure) {
  StreamLimits limits;
  limits.max_queued_bytes = 100;
  limits.high_watermark = 40;
  Fixture f(limits);
  Client client(f.port);
  ASSERT_TRUE(f.accept_n(1));
  TcpConnection& c = *f.accepted[0];
  EXPECT_EQ(c.write_copy(std::string(30, 'a')), WriteResult::kOk);
  EXPECT_EQ(c.write_copy(std::string(20, 'b')), WriteResult::kBackpressure);  // 50 >= 40
  EXPECT_EQ(c.write_copy(std::string(60, 'x')), WriteResult::kDropped);       // 110 > 100: not queued
  EXPECT_EQ(c.queued_bytes(), 50u);
  EXPECT_EQ(c.write_copy(std::string(50, 'c')), WriteResult::kBackpressure);  // exactly 100 still fits
  EXPECT_EQ(c.write_copy("d"), WriteResult::kDropped);
  EXPECT_EQ(c.queued_bytes(), 100u);
  ASSERT_TRUE(run_until(f.loop, [&] {
    client.drain();
    return client.received.size() >= 100 && c.queued_bytes() == 0;
  }));
  EXPECT_EQ(client.received, std::string(30, 'a') + std::string(20, 'b') + std::string(50, 'c'));
  EXPECT_EQ(f.observed[0]->drained, 1);  // back under the low watermark once
}

TEST(TcpConnection, LargeWritesSurvivePartialWritesInOrder) {
  // More than the socket buffers hold while the client is not reading: the queue goes through partial
  // writev calls and waits for the socket to be writable again, and must still deliver every byte once, in
  // order.
  StreamLimits limits;
  limits.max_queued_bytes = 16 * 1024 * 1024;
  limits.high_watermark = 1024 * 1024;
  Fixture f(limits);
  Client client(f.port);
  ASSERT_TRUE(f.accept_n(1));
  TcpConnection& c = *f.accepted[0];
  std::string expected;
  int backpressure = 0;
  for (int i = 0; i < 200; ++i) {
    std::string chunk = pattern(40'000 + static_cast<std::size_t>(i) * 13, static_cast<std::size_t>(i));
    expected += chunk;
    WriteResult r = c.write_copy(chunk);
    ASSERT_NE(r, WriteResult::kDropped);
    if (r == WriteResult::kBackpressure) ++backpressure;
    if (i % 50 == 49) uv_run(f.loop.get(), UV_RUN_NOWAIT);  // some flushes happen between writes
  }
  EXPECT_GT(backpressure, 0);
  EXPECT_EQ(c.queued_bytes() <= expected.size(), true);
  ASSERT_TRUE(run_until(
      f.loop,
      [&] {
        client.drain();
        return client.received.size() >= expected.size() && c.queued_bytes() == 0;
      },
      20'000));
  EXPECT_EQ(client.received.size(), expected.size());
  EXPECT_TRUE(client.received == expected);
  EXPECT_GE(f.observed[0]->drained, 1);
}

TEST(TcpConnection, CloseAfterWritesDeliversEverythingThenCloses) {
  StreamLimits limits;
  limits.max_queued_bytes = 16 * 1024 * 1024;
  Fixture f(limits);
  Client client(f.port);
  ASSERT_TRUE(f.accept_n(1));
  TcpConnection& c = *f.accepted[0];
  std::string expected = pattern(3 * 1024 * 1024, 3);
  c.write_copy(std::string_view(expected).substr(0, 1000));
  c.write_copy(std::string_view(expected).substr(1000));
  c.close_after_writes();
  EXPECT_TRUE(c.closing());
  EXPECT_EQ(c.write_copy("late"), WriteResult::kDropped);  // nothing may follow the last write
  ASSERT_TRUE(run_until(
      f.loop,
      [&] {
        client.drain();
        return client.eof;
      },
      20'000));
  EXPECT_EQ(client.received.size(), expected.size());
  EXPECT_TRUE(client.received == expected);
  ASSERT_TRUE(run_until(f.loop, [&] { return f.observed[0]->closed == 1; }));
  EXPECT_EQ(f.loop.counters().connections_open, 0u);
}

TEST(TcpConnection, CloseAfterWritesWithNothingQueuedClosesAtOnce) {
  Fixture f;
  Client client(f.port);
  ASSERT_TRUE(f.accept_n(1));
  f.accepted[0]->close_after_writes();
  ASSERT_TRUE(run_until(f.loop, [&] {
    client.drain();
    return client.eof && f.observed[0]->closed == 1;
  }));
  EXPECT_EQ(client.received, "");
}

TEST(TcpConnection, ReadsReachTheHandlerAndPeerCloseEndsTheConnection) {
  Fixture f;
  Client client(f.port);
  ASSERT_TRUE(f.accept_n(1));
  EXPECT_EQ(f.loop.counters().connections_open, 1u);
  EXPECT_EQ(f.loop.counters().connections_total, 1u);
  std::uint64_t in_before = f.loop.counters().bytes_in;
  client.send("hello ");
  client.send("server");
  ASSERT_TRUE(run_until(f.loop, [&] { return f.observed[0]->data.size() >= 12; }));
  EXPECT_EQ(f.observed[0]->data, "hello server");
  EXPECT_EQ(f.loop.counters().bytes_in - in_before, 12u);
  client.shutdown_write();
  ASSERT_TRUE(run_until(f.loop, [&] { return f.observed[0]->closed == 1; }));
  EXPECT_EQ(f.observed[0]->eof, 1);
  EXPECT_EQ(f.loop.counters().connections_open, 0u);
}

TEST(TcpConnection, CloseDiscardsWhatIsQueued) {
  Fixture f;
  Client client(f.port);
  ASSERT_TRUE(f.accept_n(1));
  TcpConnection& c = *f.accepted[0];
  c.write_copy("never sent");
  c.close();
  EXPECT_EQ(c.write_copy("x"), WriteResult::kDropped);
  ASSERT_TRUE(run_until(f.loop, [&] {
    client.drain();
    return client.eof && f.observed[0]->closed == 1;
  }));
  EXPECT_EQ(client.received, "");
}

TEST(TcpConnection, CloseAfterWritesGivesUpOnAPeerThatNeverReads) {
  StreamLimits limits;
  limits.max_queued_bytes = 32u << 20;
  limits.close_linger_ms = 300;
  Fixture f(limits);
  Client c(f.port);
  ASSERT_TRUE(f.accept_n(1));
  // Far more than the kernel's socket buffers hold: most of it stays queued, since the client never reads.
  ASSERT_NE(f.accepted[0]->write_copy(pattern(16u << 20, 3)), WriteResult::kDropped);
  f.accepted[0]->close_after_writes();
  ASSERT_TRUE(run_until(f.loop, [&] { return f.observed[0]->closed == 1; }));
  c.drain();
  EXPECT_LT(c.received.size(), std::size_t{16} << 20);  // the close did not wait for the rest
}

TEST(TcpConnection, CloseAfterWritesStillDeliversEverythingToAReader) {
  StreamLimits limits;
  limits.max_queued_bytes = 32u << 20;
  limits.close_linger_ms = 60'000;
  Fixture f(limits);
  Client c(f.port);
  ASSERT_TRUE(f.accept_n(1));
  std::string big = pattern(4u << 20, 5);
  ASSERT_NE(f.accepted[0]->write_copy(big), WriteResult::kDropped);
  f.accepted[0]->close_after_writes();
  ASSERT_TRUE(run_until(f.loop, [&] {
    c.drain();
    return c.eof;
  }));
  EXPECT_EQ(c.received, big);
}

TEST(TcpListener, ConnectionsBeyondTheCapAreRefusedAndClosed) {
  Fixture f({}, 2);
  Client a(f.port), b(f.port);
  ASSERT_TRUE(f.accept_n(2));
  Client c(f.port);
  ASSERT_TRUE(run_until(f.loop, [&] {
    c.drain();
    return c.eof;
  }));
  EXPECT_EQ(c.received, "busy\n");
  EXPECT_EQ(f.refused, 1);
  EXPECT_EQ(f.listener.refused(), 1u);
  EXPECT_EQ(f.accepted.size(), 2u);
  // The two accepted connections still work.
  f.accepted[0]->write_copy("A");
  f.accepted[1]->write_copy("B");
  ASSERT_TRUE(run_until(f.loop, [&] {
    a.drain();
    b.drain();
    return a.received == "A" && b.received == "B";
  }));
  // Once one closes, a new connection is accepted again.
  a.shutdown_write();
  ASSERT_TRUE(run_until(f.loop, [&] { return f.observed[0]->closed == 1; }));
  Client d(f.port);
  ASSERT_TRUE(f.accept_n(3));
  EXPECT_EQ(f.refused, 1);
}

}  // namespace
}  // namespace rtb::test
