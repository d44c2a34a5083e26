// SocketPoller, through the TcpConnections it watches: a closed connection is freed after close() returns
// and only then keeps the loop from ending; an event fetched in the same batch as the close of its
// connection is ignored; connects report through the handler, and bytes written before a connect completes
// follow it.
#include "transports/net/socket_poller.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>

#include "tests/net/run_until.hpp"
#include "transports/net/loop.hpp"
#include "transports/net/tcp_connection.hpp"
#include "transports/net/tcp_listener.hpp"

namespace rtb::test {
namespace {

struct Seen {
  std::string data;
  int eof = 0;
  int closed = 0;
  int connected = 0;
  int connect_status = 1;
};

// Records what reaches it; optionally closes another connection when its first bytes arrive.
class Recorder : public StreamHandler {
 public:
  explicit Recorder(Seen& seen) : seen_(seen) {}
  void on_stream_data(char* data, std::size_t len) override {
    seen_.data.append(data, len);
    if (close_on_data != nullptr) std::exchange(close_on_data, nullptr)->close();
  }
  void on_stream_connected(int status) override {
    ++seen_.connected;
    seen_.connect_status = status;
  }
  void on_stream_eof() override {
    ++seen_.eof;
    StreamHandler::on_stream_eof();
  }
  void on_stream_closed() override { ++seen_.closed; }
  Stream* close_on_data = nullptr;

 private:
  Seen& seen_;
};

// One end of a socketpair as a reading TcpConnection; the other end stays with the test.
struct Pair {
  Pair(Loop& loop, Seen& seen) {
    int fds[2];
    EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
    connection = TcpConnection::create(loop, StreamLimits{});
    auto handler = std::make_unique<Recorder>(seen);
    recorder = handler.get();
    connection->set_handler(std::move(handler));
    EXPECT_EQ(connection->open_socket(fds[0]), 0);
    EXPECT_EQ(connection->start_reading(), 0);
    peer = fds[1];
  }
  ~Pair() { ::close(peer); }
  TcpConnection* connection;
  Recorder* recorder;
  int peer;
};

TEST(SocketPoller, AClosedConnectionIsFreedAfterCloseReturnsAndThenNoLongerHoldsTheLoop) {
  Seen seen;
  Loop loop;
  Pair pair(loop, seen);
  pair.connection->close();
  EXPECT_EQ(seen.closed, 0);  // told from the loop, not from inside close()
  // Nothing else holds the loop: run() returns once the connection is freed, having told its handler.
  EXPECT_EQ(loop.run(), 0);
  EXPECT_EQ(seen.closed, 1);
}

TEST(SocketPoller, AnEventOfAConnectionClosedEarlierInTheSameBatchIsIgnored) {
  Seen first_seen;
  Seen second_seen;
  Loop loop;
  Pair first(loop, first_seen);
  Pair second(loop, second_seen);
  // Whichever is read first closes the other, whose readiness is already in the same epoll batch.
  first.recorder->close_on_data = second.connection;
  second.recorder->close_on_data = first.connection;
  ASSERT_EQ(::write(first.peer, "a", 1), 1);
  ASSERT_EQ(::write(second.peer, "b", 1), 1);
  ASSERT_TRUE(run_until(loop, [&] { return first_seen.closed + second_seen.closed == 1; }));
  // Exactly one was read; the other was closed unread, and freed once (ASan would see a second free).
  EXPECT_EQ(first_seen.data.size() + second_seen.data.size(), 1u);
  EXPECT_EQ(first_seen.closed + second_seen.closed, 1);
  EXPECT_TRUE(first_seen.closed == 0 ? second_seen.data.empty() : first_seen.data.empty());
}

TEST(SocketPoller, BytesWrittenBeforeAConnectCompletesFollowIt) {
  Seen server_seen;
  Seen client_seen;
  Loop loop;
  ListenerConfig config;
  config.port = 0;
  TcpListener listener(loop, config, [&](TcpConnection& c) {
    c.set_handler(std::make_unique<Recorder>(server_seen));
    c.start_reading();
  });
  ASSERT_EQ(listener.listen(), 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(listener.bound_port()));
  ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  TcpConnection* client = TcpConnection::create(loop, StreamLimits{});
  client->set_handler(std::make_unique<Recorder>(client_seen));
  ASSERT_EQ(client->connect_to(reinterpret_cast<const sockaddr*>(&address)), 0);
  EXPECT_EQ(client_seen.connected, 0);  // told from the loop
  EXPECT_EQ(client->write_copy("before the handshake"), WriteResult::kOk);
  ASSERT_TRUE(run_until(loop, [&] { return server_seen.data.size() == 20; }));
  EXPECT_EQ(server_seen.data, "before the handshake");
  EXPECT_EQ(client_seen.connected, 1);
  EXPECT_EQ(client_seen.connect_status, 0);
  client->close();
  listener.close();
}

TEST(SocketPoller, ARefusedConnectIsToldToTheHandler) {
  Seen seen;
  Loop loop;
  // A port nobody listens on: bound, never listening.
  const int reserved = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  ASSERT_EQ(::bind(reserved, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(::getsockname(reserved, reinterpret_cast<sockaddr*>(&address), &length), 0);
  TcpConnection* client = TcpConnection::create(loop, StreamLimits{});
  client->set_handler(std::make_unique<Recorder>(seen));
  ASSERT_EQ(client->connect_to(reinterpret_cast<const sockaddr*>(&address)), 0);
  ASSERT_TRUE(run_until(loop, [&] { return seen.connected == 1; }));
  EXPECT_EQ(seen.connect_status, UV_ECONNREFUSED);
  client->close();
  ::close(reserved);
}

TEST(SocketPoller, ABlockingSocketHandedOverIsMadeNonBlocking) {
  // Reads and writes happen on the loop's thread: one blocking call would stop every other connection.
  Seen seen;
  Loop loop;
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
  TcpConnection* connection = TcpConnection::create(loop, StreamLimits{});
  connection->set_handler(std::make_unique<Recorder>(seen));
  ASSERT_EQ(connection->open_socket(fds[0]), 0);
  EXPECT_NE(::fcntl(fds[0], F_GETFL) & O_NONBLOCK, 0);
  // More than the socket's buffers hold, with nobody reading: the loop turn that flushes it returns.
  EXPECT_NE(connection->write_copy(std::string(1 << 20, 'x')), WriteResult::kDropped);
  loop.run(UV_RUN_NOWAIT);
  EXPECT_GT(connection->queued_bytes(), 0u);
  connection->close();
  ::close(fds[1]);
}

TEST(SocketPoller, BytesAndTheFinThatCameWithThemAreBothRead) {
  // Edge-triggered: the FIN makes no edge of its own once the bytes before it were reported.
  Seen seen;
  Loop loop;
  Pair pair(loop, seen);
  ASSERT_EQ(::write(pair.peer, "last words", 10), 10);
  ASSERT_EQ(::shutdown(pair.peer, SHUT_WR), 0);
  ASSERT_TRUE(run_until(loop, [&] { return seen.eof == 1; }));
  EXPECT_EQ(seen.data, "last words");
}

TEST(SocketPoller, MoreThanOneTurnOfReadsWaitingIsReadToTheLastByte) {
  // A turn reads at most kMaxReadsPerTurn buffers of Loop::kReadBufferSize; what is left makes no new edge,
  // so the connection must be reported again without any new byte arriving.
  Seen seen;
  Loop loop;
  Pair pair(loop, seen);
  const int size = 4 << 20;
  if (::setsockopt(pair.peer, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size) != 0)
    GTEST_SKIP() << "SO_SNDBUFFORCE needs CAP_NET_ADMIN (run as root)";
  const std::string bytes(12 * Loop::kReadBufferSize, 'y');  // more than 8 full reads, written before any
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::write(pair.peer, bytes.data() + sent, bytes.size() - sent);
    ASSERT_GT(n, 0) << "the socket buffer took " << sent << " bytes";
    sent += static_cast<std::size_t>(n);
  }
  ASSERT_TRUE(run_until(loop, [&] { return seen.data.size() == bytes.size(); }));
}

TEST(SocketPoller, TheLoopClosesWhatIsStillOpenWhenItEnds) {
  Seen seen;
  {
    Loop loop;
    Pair pair(loop, seen);
    ASSERT_EQ(::write(pair.peer, "x", 1), 1);
    ASSERT_TRUE(run_until(loop, [&] { return seen.data == "x"; }));
  }
  EXPECT_EQ(seen.closed, 1);
}

}  // namespace
}  // namespace rtb::test
