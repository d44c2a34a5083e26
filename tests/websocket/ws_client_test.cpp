// WsClient against a real server (TestServer on its own thread; the client on a loop in the test thread):
// events exactly once and in order, resume after the server drops the connection, gaps, send_text,
// keepalive pongs, refused handshakes, and the wire counters byte for byte.
#include "transports/websocket/ws_client.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "tests/net/run_until.hpp"
#include "tests/server/push_test_util.hpp"
#include "tests/server/server_test_util.hpp"
#include "tests/server/ws_test_client.hpp"
#include "transports/server/worker.hpp"
#include "transports/websocket/websocket_transport.hpp"
#include "transports/websocket/ws_handshake.hpp"

namespace rtb::test {
namespace {

class Recorder final : public ClientEvents {
 public:
  void on_connected() override { ++connected; }
  void on_event(std::uint64_t id, std::string_view data) override {
    events.emplace_back(id, std::string(data));
  }
  void on_gap(std::uint64_t first, std::uint64_t last) override { gaps.emplace_back(first, last); }
  void on_error(ClientErrorKind kind, std::string_view detail) override {
    errors.emplace_back(kind, std::string(detail));
  }

  int connected = 0;
  std::vector<std::pair<std::uint64_t, std::string>> events;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> gaps;
  std::vector<std::pair<ClientErrorKind, std::string>> errors;
};

ClientOptions options_for(int port, std::string channel) {
  ClientOptions o;
  auto* sin = reinterpret_cast<sockaddr_in*>(&o.server);
  sin->sin_family = AF_INET;
  sin->sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, "127.0.0.1", &sin->sin_addr);
  o.channel = std::move(channel);
  o.request_timeout_ms = 5000;
  return o;
}

ServerConfig quiet_config() {
  ServerConfig config = TestServer::default_config();
  config.transports.get<WsConfig>().ping_interval_ms = 0;
  return config;
}

WebSocketTransport& ws_transport(TestServer& server) {
  for (const auto& t : server.server().transports()) {
    if (t->name() == "ws") return static_cast<WebSocketTransport&>(*t);
  }
  throw std::logic_error("no ws transport");
}

// The 101 head the server sends (ws_build_101_response): what header_bytes_down counts per connection.
constexpr std::uint64_t k101Bytes = 129;

std::uint64_t frame_bytes_of_event(std::uint64_t id, std::string_view data) {
  const std::uint64_t len = std::to_string(id).size() + 1 + data.size();
  return (len < 126 ? 2 : len <= 0xFFFF ? 4 : 10) + len;
}

TEST(WsClient, ReceivesPublishedEventsExactlyOnceInOrderAndCountsEveryByte) {
  TestServer server(quiet_config());
  Loop loop(1);
  Recorder rec;
  WsClient client(loop, options_for(server.port(), "c"), rec);
  EXPECT_TRUE(client.closed());  // not started
  client.start();
  ASSERT_TRUE(run_until(loop, [&] { return rec.connected == 1; }));
  EXPECT_TRUE(client.is_open());
  constexpr int kEvents = 200;
  std::uint64_t payload = 0, framing = 0;
  for (int i = 1; i <= kEvents; ++i) {
    // Some events long enough for a 16-bit frame length.
    const std::string text = "event " + std::to_string(i) + std::string(i % 50 == 0 ? 300 : 0, '!');
    ASSERT_EQ(publish(server.port(), "c", text), std::uint64_t(i));
    payload += text.size();
    framing += frame_bytes_of_event(i, text) - text.size();
  }
  ASSERT_TRUE(run_until(loop, [&] { return rec.events.size() == kEvents; }));
  for (int i = 1; i <= kEvents; ++i) {
    EXPECT_EQ(rec.events[i - 1].first, std::uint64_t(i));
    EXPECT_EQ(rec.events[i - 1].second.substr(0, rec.events[i - 1].second.find('!')),
              "event " + std::to_string(i));
  }
  EXPECT_EQ(client.last_id(), std::uint64_t(kEvents));

  client.stop();
  EXPECT_FALSE(client.is_open());
  ASSERT_TRUE(run_until(loop, [&] { return client.closed(); }));
  EXPECT_TRUE(rec.errors.empty()) << rec.errors.front().second;
  EXPECT_TRUE(rec.gaps.empty());
  const ClientWireCounters& n = client.counters();
  EXPECT_EQ(n.connects, 1u);
  EXPECT_EQ(n.requests, 1u);
  EXPECT_EQ(n.responses, 1u);
  EXPECT_EQ(n.events, std::uint64_t(kEvents));
  EXPECT_EQ(n.header_bytes_down, k101Bytes);
  EXPECT_EQ(n.payload_bytes_down, payload);
  EXPECT_EQ(n.framing_bytes_down, framing + 4);  // + the server's close frame (2 header + 2 code)
  EXPECT_GT(n.header_bytes_up, 150u);
  EXPECT_EQ(n.framing_bytes_up, 8u);  // our close: 2 header + 4 mask + 2 code
  EXPECT_EQ(n.payload_bytes_up, 0u);
  EXPECT_TRUE(wait_for_stat(server.port(), "transports.ws.sessions_open", 0));
}

TEST(WsClient, ResumesWithSinceAfterTheServerDropsTheConnection) {
  TestServer server(quiet_config());
  Loop loop(1);
  Recorder rec;
  WsClient client(loop, options_for(server.port(), "resume"), rec);
  client.start();
  ASSERT_TRUE(run_until(loop, [&] { return rec.connected == 1; }));
  for (int i = 1; i <= 5; ++i)
    ASSERT_EQ(publish(server.port(), "resume", "e" + std::to_string(i)), std::uint64_t(i));
  ASSERT_TRUE(run_until(loop, [&] { return rec.events.size() == 5; }));

  // The server ends every WebSocket (close 1012, service restart). Until the client's loop runs again it
  // cannot notice, so the next events are published while it is, in effect, gone: only a resume delivers
  // them.
  server.run_on_loop([&] { ws_transport(server).close_all(ws_close::kServiceRestart, "restart"); });
  for (int i = 6; i <= 10; ++i)
    ASSERT_EQ(publish(server.port(), "resume", "e" + std::to_string(i)), std::uint64_t(i));
  ASSERT_TRUE(run_until(loop, [&] { return rec.events.size() == 10; }));
  for (int i = 1; i <= 10; ++i) {
    EXPECT_EQ(rec.events[i - 1].first, std::uint64_t(i));
    EXPECT_EQ(rec.events[i - 1].second, "e" + std::to_string(i));
  }
  EXPECT_EQ(rec.connected, 2);
  EXPECT_EQ(client.counters().connects, 2u);
  EXPECT_EQ(client.counters().header_bytes_down, 2 * k101Bytes);
  ASSERT_EQ(rec.errors.size(), 1u);
  EXPECT_EQ(rec.errors[0].first, ClientErrorKind::kReset);
  EXPECT_NE(rec.errors[0].second.find("1012: restart"), std::string::npos) << rec.errors[0].second;
  // Live events flow on the new connection.
  ASSERT_EQ(publish(server.port(), "resume", "e11"), 11u);
  ASSERT_TRUE(run_until(loop, [&] { return rec.events.size() == 11; }));
  EXPECT_EQ(rec.events.back(), std::make_pair(std::uint64_t{11}, std::string("e11")));
  client.stop();
  ASSERT_TRUE(run_until(loop, [&] { return client.closed(); }));
}

TEST(WsClient, SendTextPublishesToTheChannelAndComesBack) {
  TestServer server(quiet_config());
  Loop loop(1);
  Recorder rec;
  WsClient client(loop, options_for(server.port(), "up"), rec);
  EXPECT_EQ(client.send_text("too early"), WriteResult::kDropped);
  client.start();
  ASSERT_TRUE(run_until(loop, [&] { return rec.connected == 1; }));
  WsTestClient watcher(server.port(), "/ws?channel=up");
  ASSERT_TRUE(watcher.upgraded());
  ASSERT_TRUE(wait_for_stat(server.port(), "connections.ws", 2));

  EXPECT_EQ(client.send_text("from the client"), WriteResult::kOk);
  EXPECT_EQ(client.send_text(std::string(200, 'L')), WriteResult::kOk);
  ASSERT_TRUE(run_until(loop, [&] { return rec.events.size() == 2; }));
  EXPECT_EQ(rec.events[0], std::make_pair(std::uint64_t{1}, std::string("from the client")));
  EXPECT_EQ(rec.events[1], std::make_pair(std::uint64_t{2}, std::string(200, 'L')));
  auto f = watcher.read_frame();
  ASSERT_TRUE(f);
  EXPECT_EQ(f->payload, "1 from the client");
  EXPECT_EQ(client.counters().payload_bytes_up, 15u + 200u);
  EXPECT_EQ(client.counters().framing_bytes_up, (2u + 4u) + (4u + 4u));  // 7- and 16-bit lengths, masks
  EXPECT_EQ(stat_value(server.port(), "events.published"), 2u);
  client.stop();
  EXPECT_EQ(client.send_text("too late"), WriteResult::kDropped);
  ASSERT_TRUE(run_until(loop, [&] { return client.closed(); }));
}

TEST(WsClient, AnswersKeepalivePingsAndStaysConnected) {
  ServerConfig config = TestServer::default_config();
  config.transports.get<WsConfig>().ping_interval_ms = 100;
  TestServer server(config);
  Loop loop(1);
  Recorder rec;
  WsClient client(loop, options_for(server.port(), "k"), rec);
  client.start();
  ASSERT_TRUE(run_until(loop, [&] { return rec.connected == 1; }));
  // Run the client until the server has sent several pings; the client must still be the same connection.
  std::uint64_t pings = 0;
  ASSERT_TRUE(run_until(
      loop,
      [&] {
        server.run_on_loop([&] { pings = ws_transport(server).counters().pings_sent; });
        return pings >= 4;
      },
      10'000));
  std::uint64_t timeouts = 1;
  server.run_on_loop([&] { timeouts = ws_transport(server).stats().dropped_silent; });
  EXPECT_EQ(timeouts, 0u);
  EXPECT_EQ(rec.connected, 1);
  EXPECT_TRUE(rec.errors.empty());
  EXPECT_GE(client.counters().framing_bytes_up, 3u * 6u);  // empty pongs: 2 header + 4 mask
  client.stop();
  ASSERT_TRUE(run_until(loop, [&] { return client.closed(); }));
}

TEST(WsClient, RefusedHandshakeIsReportedAndRetriedUntilStopped) {
  TestServer server(quiet_config());
  Loop loop(1);
  Recorder rec;
  WsClient client(loop, options_for(server.port(), "not a valid channel"), rec);
  client.start();
  ASSERT_TRUE(run_until(loop, [&] { return rec.errors.size() >= 2; }));
  EXPECT_EQ(rec.errors[0].first, ClientErrorKind::kHttpStatus);
  EXPECT_NE(rec.errors[0].second.find("400"), std::string::npos);
  EXPECT_EQ(rec.connected, 0);
  client.stop();
  EXPECT_TRUE(client.closed());
  const std::size_t errors = rec.errors.size();
  run_until(
      loop, [] { return false; }, 100);  // no callback after stop()
  EXPECT_EQ(rec.errors.size(), errors);
}

TEST(WsClient, ConnectionRefusedIsReported) {
  int port = 0;
  {
    TestServer gone(quiet_config());
    port = gone.port();
  }
  Loop loop(1);
  Recorder rec;
  WsClient client(loop, options_for(port, "c"), rec);
  client.start();
  ASSERT_TRUE(run_until(loop, [&] { return !rec.errors.empty(); }));
  EXPECT_EQ(rec.errors[0].first, ClientErrorKind::kRefused);
  client.stop();
  ASSERT_TRUE(run_until(loop, [&] { return client.closed(); }));
}

// A server played by the test: one connection, handled by `script` on a thread with blocking socket calls.
class ScriptedServer {
 public:
  explicit ScriptedServer(std::function<void(int fd, std::string& log)> script) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listen_fd_, 1);
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this, script = std::move(script)] {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 5000) != 1) return;
      const int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      script(fd, log_);
      ::close(fd);
      done_ = true;
    });
  }
  ~ScriptedServer() {
    if (thread_.joinable()) thread_.join();
    ::close(listen_fd_);
  }
  int port() const { return port_; }
  bool done() const { return done_; }
  // What the script wrote down; read it after done().
  const std::string& log() const { return log_; }

  // Blocking helpers for scripts.
  static std::string read_head(int fd) {
    std::string in;
    char c;
    while (in.find("\r\n\r\n") == std::string::npos && ::recv(fd, &c, 1, 0) == 1) in.push_back(c);
    return in;
  }
  static std::string key_of(const std::string& head) {
    const auto at = head.find("Sec-WebSocket-Key: ");
    return at == std::string::npos ? std::string() : head.substr(at + 19, 24);
  }
  static bool read_exact(int fd, std::string& out, std::size_t n) {
    out.resize(n);
    std::size_t got = 0;
    while (got < n) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 5000) != 1) return false;
      const ssize_t r = ::recv(fd, out.data() + got, n - got, 0);
      if (r <= 0) return false;
      got += static_cast<std::size_t>(r);
    }
    return true;
  }
  // One small client frame (payload < 126): "opcode masked payload" in the log, unmasked.
  static std::string read_client_frame(int fd) {
    std::string h;
    if (!read_exact(fd, h, 2)) return "none";
    const bool masked = (static_cast<std::uint8_t>(h[1]) & 0x80) != 0;
    const std::size_t len = static_cast<std::uint8_t>(h[1]) & 0x7F;
    std::string key, payload;
    if (masked && !read_exact(fd, key, 4)) return "none";
    if (!read_exact(fd, payload, len)) return "none";
    for (std::size_t i = 0; masked && i < len; ++i) payload[i] = static_cast<char>(payload[i] ^ key[i % 4]);
    return std::to_string(static_cast<std::uint8_t>(h[0])) + (masked ? " masked " : " clear ") +
           ws_test_hex(payload);
  }
  static void send_all(int fd, std::string_view bytes) {
    ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  }
  static std::string accept_head(const std::string& accept) {
    return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Accept: " +
           accept + "\r\n\r\n";
  }

 private:
  int listen_fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::string log_;
  std::atomic<bool> done_{false};
};

TEST(WsClient, AcceptValueThatDoesNotAnswerTheKeyIsAProtocolError) {
  ScriptedServer server([](int fd, std::string& log) {
    const std::string head = ScriptedServer::read_head(fd);
    log = head;
    ScriptedServer::send_all(fd, ScriptedServer::accept_head(ws_accept_for_key("AAAAAAAAAAAAAAAAAAAAAA==")));
    char c;
    while (::recv(fd, &c, 1, 0) > 0) {
    }
  });
  Loop loop(1);
  Recorder rec;
  WsClient client(loop, options_for(server.port(), "c"), rec);
  client.start();
  ASSERT_TRUE(run_until(loop, [&] { return !rec.errors.empty(); }));
  EXPECT_EQ(rec.errors[0].first, ClientErrorKind::kProtocol);
  EXPECT_NE(rec.errors[0].second.find("Accept"), std::string::npos);
  EXPECT_EQ(rec.connected, 0);
  client.stop();
  ASSERT_TRUE(run_until(loop, [&] { return server.done(); }));
  // The request the client sent: the key is 16 random bytes in base64, the version 13, resume point 0.
  const std::string& request = server.log();
  EXPECT_EQ(request.rfind("GET /ws?channel=c&since=0 HTTP/1.1\r\n", 0), 0u) << request;
  EXPECT_TRUE(ws_key_is_valid(ScriptedServer::key_of(request))) << request;
  EXPECT_NE(request.find("\r\nUpgrade: websocket\r\n"), std::string::npos);
  EXPECT_NE(request.find("\r\nConnection: Upgrade\r\n"), std::string::npos);
  EXPECT_NE(request.find("\r\nSec-WebSocket-Version: 13\r\n"), std::string::npos);
}

TEST(WsClient, PongsAreMaskedEchoesAndAMaskedServerFrameFailsWith1002) {
  ScriptedServer server([](int fd, std::string& log) {
    const std::string key = ScriptedServer::key_of(ScriptedServer::read_head(fd));
    // The 101 and the first frames in one write: the client must take frames from the same read.
    ScriptedServer::send_all(fd, ScriptedServer::accept_head(ws_accept_for_key(key)) +
                                     std::string("\x81\x07"
                                                 "1 first",
                                                 9) +
                                     std::string("\x89\x02hi", 4));
    log += ScriptedServer::read_client_frame(fd) + "\n";  // the pong
    // A masked frame: servers must not mask (RFC 6455 5.1).
    ScriptedServer::send_all(fd, std::string("\x81\x85"
                                             "abcd"
                                             "\x50\x42\x43\x44\x45",
                                             11));
    log += ScriptedServer::read_client_frame(fd) + "\n";  // the close
  });
  Loop loop(1);
  Recorder rec;
  WsClient client(loop, options_for(server.port(), "c"), rec);
  client.start();
  ASSERT_TRUE(run_until(loop, [&] { return server.done(); }));
  ASSERT_EQ(rec.events.size(), 1u);
  EXPECT_EQ(rec.events[0], std::make_pair(std::uint64_t{1}, std::string("first")));
  EXPECT_EQ(server.log(),
            "138 masked 68 69\n"    // FIN|pong, masked, "hi"
            "136 masked 03 ea\n");  // FIN|close, masked, 1002
  ASSERT_FALSE(rec.errors.empty());
  EXPECT_EQ(rec.errors[0].first, ClientErrorKind::kProtocol);
  client.stop();
  ASSERT_TRUE(run_until(loop, [&] { return client.closed(); }));
}

}  // namespace
}  // namespace rtb::test
