// TlsStream on a real loop, server and client in one process over loopback: bytes both ways in order (small,
// and larger than many records), close_notify, session resumption, a client that does not trust the server,
// and hostile first bytes on the TLS port (plain HTTP gets a plain 400; garbage is closed), each counted.
#include "transports/net/tls_stream.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "tests/net/run_until.hpp"
#include "tests/support/test_certs.hpp"
#include "transports/net/client_connection.hpp"
#include "transports/net/loop.hpp"
#include "transports/net/tcp_listener.hpp"

namespace rtb::test {
namespace {

// The server's side of one connection: echoes what it reads, or closes after writing a reply.
struct TlsServerSide {
  std::string data;
  int eof = 0;
  int closed = 0;
};

class TlsEchoHandler : public StreamHandler {
 public:
  explicit TlsEchoHandler(TlsServerSide& seen) : seen_(seen) {}
  void on_stream_data(char* data, std::size_t len) override {
    seen_.data.append(data, len);
    const std::string_view in(data, len);
    if (in == "bye") {
      stream->write_copy("last words");
      stream->close_after_writes();
      return;
    }
    stream->write_copy(in);
  }
  void on_stream_eof() override {
    ++seen_.eof;
    StreamHandler::on_stream_eof();
  }
  void on_stream_closed() override { ++seen_.closed; }

 private:
  TlsServerSide& seen_;
};

struct TlsClientSide final : ClientConnectionOwner {
  void on_link_connected(int s) override {
    status = s;
    connected = true;
  }
  void on_link_data(char* data, std::size_t len) override { data_in.append(data, len); }
  void on_link_eof() override { ++eof; }
  void on_link_closed() override { ++closed; }
  int status = 1;
  bool connected = false;
  std::string data_in;
  int eof = 0;
  int closed = 0;
};

sockaddr_storage tls_loopback(int port) {
  sockaddr_storage out{};
  auto* in = reinterpret_cast<sockaddr_in*>(&out);
  in->sin_family = AF_INET;
  in->sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &in->sin_addr);
  return out;
}

struct TlsFixture {
  TlsFixture() {
    std::string error;
    server_tls = TlsContext::server({certs.cert(), certs.key()}, error);
    EXPECT_NE(server_tls, nullptr) << error;
    client_tls = TlsContext::client({.ca_file = certs.ca()}, error);
    EXPECT_NE(client_tls, nullptr) << error;
    ListenerConfig config;
    config.port = 0;
    listener = std::make_unique<TcpListener>(loop, config, [this](TcpConnection& c) {
      sides.push_back(std::make_unique<TlsServerSide>());
      TlsStream& tls = TlsStream::attach(c, *server_tls, std::make_unique<TlsEchoHandler>(*sides.back()));
      tls.start_reading();
    });
    EXPECT_EQ(listener->listen(), 0);
    port = listener->bound_port();
    address = tls_loopback(port);
  }
  // Connects `client` over TLS and waits for the handshake.
  bool connect(ClientConnection& connection, TlsClientSide& client, TlsContext& tls) {
    EXPECT_EQ(connection.open(loop, reinterpret_cast<const sockaddr*>(&address), nullptr, client, {}, &tls,
                              "127.0.0.1"),
              0);
    return run_until(loop, [&] { return client.connected; });
  }

  TestCerts certs;
  std::unique_ptr<TlsContext> server_tls;
  std::unique_ptr<TlsContext> client_tls;
  std::vector<std::unique_ptr<TlsServerSide>> sides;
  int port = 0;
  sockaddr_storage address{};
  Loop loop;
  std::unique_ptr<TcpListener> listener;
};

std::string tls_pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7) % 26);
  return s;
}

TEST(TlsStream, EchoesSmallAndLargeWritesInOrder) {
  TlsFixture f;
  TlsClientSide client;
  ClientConnection connection;
  ASSERT_TRUE(f.connect(connection, client, *f.client_tls));
  EXPECT_EQ(client.status, 0);
  connection.write_copy("hello");
  ASSERT_TRUE(run_until(f.loop, [&] { return client.data_in == "hello"; }));
  // 1 MiB in 64 writes: many records, several TCP reads, order kept.
  const std::string big = tls_pattern(1 << 20);
  for (std::size_t i = 0; i < big.size(); i += big.size() / 64)
    connection.write_copy(big.substr(i, big.size() / 64));
  ASSERT_TRUE(run_until(
      f.loop, [&] { return client.data_in.size() == 5 + big.size(); }, 10000));
  EXPECT_EQ(client.data_in.substr(5), big);
  const TlsCounters& s = f.server_tls->counters();
  EXPECT_EQ(s.handshakes, 1u);
  EXPECT_EQ(s.tls13, 1u);
  EXPECT_EQ(s.handshake_failures, 0u);
  EXPECT_EQ(f.client_tls->counters().handshakes, 1u);
}

TEST(TlsStream, CloseAfterWritesDeliversTheLastBytesThenTheEnd) {
  TlsFixture f;
  TlsClientSide client;
  ClientConnection connection;
  ASSERT_TRUE(f.connect(connection, client, *f.client_tls));
  connection.write_copy("bye");
  ASSERT_TRUE(run_until(f.loop, [&] { return client.closed == 1; }));
  EXPECT_EQ(client.data_in, "last words");
  EXPECT_EQ(client.eof, 1);  // close_notify read as the end, before the TCP close
}

TEST(TlsStream, ASecondConnectionResumesTheSession) {
  TlsFixture f;
  for (int i = 0; i < 2; ++i) {
    TlsClientSide client;
    ClientConnection connection;
    ASSERT_TRUE(f.connect(connection, client, *f.client_tls));
    connection.write_copy("x");  // the TLS 1.3 ticket arrives after the handshake: read something first
    ASSERT_TRUE(run_until(f.loop, [&] { return client.data_in == "x"; }));
  }
  EXPECT_EQ(f.server_tls->counters().handshakes, 2u);
  EXPECT_EQ(f.server_tls->counters().resumed, 1u);
  EXPECT_EQ(f.client_tls->counters().resumed, 1u);

  std::string error;
  auto fresh = TlsContext::client({.ca_file = f.certs.ca(), .resume = false}, error);
  ASSERT_NE(fresh, nullptr) << error;
  TlsClientSide client;
  ClientConnection connection;
  ASSERT_TRUE(f.connect(connection, client, *fresh));
  EXPECT_EQ(fresh->counters().resumed, 0u);
}

TEST(TlsStream, AClientThatDoesNotTrustTheServerFailsItsConnect) {
  TlsFixture f;
  std::string error;
  // The expired certificate's file as the only trust anchor: it is not a CA, so nothing verifies.
  auto untrusting = TlsContext::client({.ca_file = f.certs.file("expired.pem")}, error);
  ASSERT_NE(untrusting, nullptr) << error;
  TlsClientSide client;
  ClientConnection connection;
  ASSERT_TRUE(f.connect(connection, client, *untrusting));
  EXPECT_EQ(client.status, UV_EPROTO);
  EXPECT_EQ(untrusting->counters().handshake_failures, 1u);
  ASSERT_TRUE(run_until(f.loop, [&] { return f.server_tls->counters().handshake_failures == 1; }));

  // --insecure connects anyway.
  auto insecure = TlsContext::client({.ca_file = {}, .verify = false}, error);
  TlsClientSide client2;
  ClientConnection connection2;
  ASSERT_TRUE(f.connect(connection2, client2, *insecure));
  EXPECT_EQ(client2.status, 0);
}

// A plain socket on the TLS port, driven from the test thread.
class PlainClient {
 public:
  explicit PlainClient(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_storage a = tls_loopback(port);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(sockaddr_in)) == 0;
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
  }
  ~PlainClient() { ::close(fd_); }
  bool connected() const { return connected_; }
  void send(std::string_view bytes) { ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL); }
  // Reads what is there; true once the server has closed.
  bool closed_by_server() {
    char buf[4096];
    for (;;) {
      const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
      if (n > 0) {
        received.append(buf, static_cast<std::size_t>(n));
        continue;
      }
      return n == 0 || (n < 0 && errno == ECONNRESET);
    }
  }
  std::string received;

 private:
  int fd_ = -1;
  bool connected_ = false;
};

TEST(TlsStream, PlainHttpOnTheTlsPortGetsAPlain400AndIsCounted) {
  TlsFixture f;
  PlainClient raw(f.port);
  ASSERT_TRUE(raw.connected());
  raw.send("GET /stats HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(run_until(f.loop, [&] { return raw.closed_by_server(); }));
  EXPECT_EQ(raw.received.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << raw.received;
  EXPECT_NE(raw.received.find("use https://"), std::string::npos);
  EXPECT_EQ(f.server_tls->counters().plain_http, 1u);
  EXPECT_EQ(f.server_tls->counters().handshakes, 0u);
}

TEST(TlsStream, GarbageInsteadOfAClientHelloIsClosedAndCounted) {
  TlsFixture f;
  PlainClient raw(f.port);
  ASSERT_TRUE(raw.connected());
  raw.send(std::string(300, '\x16'));  // a handshake record type, then nonsense
  ASSERT_TRUE(run_until(f.loop, [&] { return raw.closed_by_server(); }));
  EXPECT_EQ(f.server_tls->counters().handshake_failures, 1u);
  // The server still serves a real client afterwards.
  TlsClientSide client;
  ClientConnection connection;
  ASSERT_TRUE(f.connect(connection, client, *f.client_tls));
  connection.write_copy("still here");
  ASSERT_TRUE(run_until(f.loop, [&] { return client.data_in == "still here"; }));
}

TEST(TlsContext, UnusableFilesAreOneClearLine) {
  TestCerts certs;
  std::string error;
  EXPECT_EQ(TlsContext::server({certs.file("missing.pem"), certs.key()}, error), nullptr);
  EXPECT_NE(error.find("missing.pem: cannot read it"), std::string::npos) << error;
  EXPECT_EQ(TlsContext::server({certs.cert(), certs.file("other.key")}, error), nullptr);
  EXPECT_NE(error.find("does not match certificate"), std::string::npos) << error;
  EXPECT_EQ(TlsContext::server({certs.file("expired.pem"), certs.key()}, error), nullptr);
  EXPECT_NE(error.find("has expired"), std::string::npos) << error;
  EXPECT_EQ(TlsContext::server({certs.key(), certs.key()}, error), nullptr);
  EXPECT_NE(error.find("not a PEM certificate"), std::string::npos) << error;
  EXPECT_EQ(error.find('\n'), std::string::npos);
  EXPECT_NE(TlsContext::server({certs.cert(), certs.key()}, error), nullptr);
}

}  // namespace
}  // namespace rtb::test
