// Hostile input against a live server: each attack gets the exact status or close code the wire contract
// names, AND an SSE and a WebSocket subscriber opened before the attack receive every event published before,
// during and after it, in order, none lost and none extra (ids 1..N exactly). The single-connection answers
// are also checked in http_limits_test, isolation_test and ws_conformance_test; what this file adds is the
// combined promise: the misbehaving connection is the only one that notices.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/server/push_test_util.hpp"
#include "tests/server/server_test_util.hpp"
#include "tests/server/ws_test_client.hpp"
#include "transports/websocket/websocket_transport.hpp"
#include "transports/sse/sse_transport.hpp"

namespace rtb::test {
namespace {

using namespace ws_b0;

ServerConfig hostile_config() {
  ServerConfig config = TestServer::default_config();
  // No heartbeats or keepalive pings: the good subscribers' streams are then exactly the events.
  config.transports.get<SseConfig>().heartbeat_ms = 0;
  config.transports.get<WsConfig>().ping_interval_ms = 0;
  return config;
}

class HostileInput : public ::testing::Test {
 protected:
  // Starts the server, the publisher's keep-alive connections and the two good subscribers (since=0, so no
  // event can slip past them between the handshake and the subscription).
  void start(ServerConfig config = hostile_config()) {
    server_ = std::make_unique<TestServer>(config);
    publisher_ = std::make_unique<BlockingClient>(port());
    background_publisher_ = std::make_unique<BlockingClient>(port());
    sse_ = std::make_unique<BlockingClient>(port());
    auto head = open_stream(*sse_, "/sse?channel=good&since=0");
    ASSERT_TRUE(head);
    ASSERT_EQ(head->status, 200);
    ws_ = std::make_unique<WsTestClient>(port(), "/ws?channel=good&since=0");
    ASSERT_TRUE(ws_->upgraded());
  }
  int port() const { return server_->port(); }

  // Publishes on `client` (a keep-alive connection, so it works even at the connection cap) and remembers
  // what the subscribers must receive for the id the server assigned.
  void publish_on(BlockingClient& client, const std::string& text) {
    auto r = client.request("POST", "/publish?channel=good", text);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    expect_event(std::stoull(r->body), text);
  }
  void expect_event(std::uint64_t id, const std::string& text) {
    std::lock_guard lock(mutex_);
    EXPECT_TRUE(expected_.emplace(id, text).second) << "id " << id << " assigned twice";
  }

  // Events before, a publisher thread running all through `attack`, events after; then both good subscribers
  // must hold exactly ids 1..N with the published texts.
  void survives(const std::function<void()>& attack) {
    for (int i = 0; i < 3; ++i) publish_on(*publisher_, "before " + std::to_string(i));
    std::atomic<bool> stop{false};
    std::atomic<int> during{0};
    std::thread background([&] {
      // Bounded by count as well as by the flag; paced so the attack gets the loop too.
      for (int i = 0; i < 20000 && (!stop.load() || during.load() == 0); ++i) {
        publish_on(*background_publisher_, "during " + std::to_string(i));
        during.fetch_add(1);
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    });
    while (during.load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    attack();
    stop = true;
    background.join();
    for (int i = 0; i < 3; ++i) publish_on(*publisher_, "after " + std::to_string(i));
    expect_good_subscribers_got_everything();
  }

  void expect_good_subscribers_got_everything() {
    std::map<std::uint64_t, std::string> expected;
    {
      std::lock_guard lock(mutex_);
      expected = expected_;
    }
    ASSERT_FALSE(expected.empty());
    ASSERT_EQ(expected.rbegin()->first, expected.size()) << "ids are not 1..N";
    const std::uint64_t last = expected.size();

    // SSE: the records of 1..N, in order; blocks without data (retry:, the id-only position) are not events.
    ASSERT_TRUE(sse_->read_until(record(last, expected[last]), std::chrono::seconds(20)))
        << "SSE subscriber stopped before event " << last;
    std::string_view body = sse_->buffer();
    std::uint64_t next = 1;
    while (!body.empty()) {
      const std::size_t end = body.find("\n\n");
      ASSERT_NE(end, std::string_view::npos);
      const std::string_view block = body.substr(0, end + 2);
      body.remove_prefix(end + 2);
      if (block.find("\ndata: ") == std::string_view::npos) continue;
      ASSERT_LE(next, last) << "extra record " << block;
      ASSERT_EQ(block, record(next, expected[next])) << "SSE record " << next;
      ++next;
    }
    EXPECT_EQ(next, last + 1);

    // WebSocket: one text frame `<id> <text>` per event, in order.
    for (std::uint64_t id = 1; id <= last; ++id) {
      auto f = ws_->read_frame(std::chrono::seconds(20));
      ASSERT_TRUE(f) << "WebSocket subscriber stopped before event " << id;
      ASSERT_EQ(f->b0, kFin | kText);
      ASSERT_EQ(f->payload, std::to_string(id) + " " + expected[id]);
    }
  }

  // One bad request on its own connection: the exact status, `Connection: close` and TCP closed.
  void expect_refused(std::string_view bytes, int status) {
    BlockingClient bad(port());
    ASSERT_TRUE(bad.send(bytes));
    auto r = bad.read_response();
    ASSERT_TRUE(r) << ws_test_hex(bytes.substr(0, 64));
    EXPECT_EQ(r->status, status) << ws_test_hex(bytes.substr(0, 64));
    EXPECT_EQ(r->header("connection"), "close");
    EXPECT_TRUE(bad.wait_closed());
  }

  // A WebSocket on `target` that sends `bytes` and must get exactly close `code`, then TCP closed.
  void expect_ws_failed(std::string_view target, const std::string& bytes, int code) {
    WsTestClient bad(port(), target);
    ASSERT_TRUE(bad.upgraded());
    ASSERT_TRUE(bad.send_raw(bytes));
    EXPECT_EQ(bad.read_close_code(), code);
    EXPECT_TRUE(bad.closed_with_nothing_more());
  }

  std::unique_ptr<TestServer> server_;
  std::unique_ptr<BlockingClient> publisher_;
  std::unique_ptr<BlockingClient> background_publisher_;
  std::unique_ptr<BlockingClient> sse_;
  std::unique_ptr<WsTestClient> ws_;
  std::mutex mutex_;
  std::map<std::uint64_t, std::string> expected_;
};

const std::uint8_t kMask[4] = {0x11, 0x22, 0x33, 0x44};

// --- HTTP
// ---------------------------------------------------------------------------------------------------

constexpr char kNulInValue[] = "GET /poll HTTP/1.1\r\nHost: x\r\nX: a\x00b\r\n\r\n";

TEST_F(HostileInput, RequestLineAndHeaderGarbageGet400) {
  start();
  survives([&] {
    for (std::string_view bad : {
             std::string_view("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 tls hello\r\n\r\n"),
             std::string_view("GET /poll HTTP/1.1 trailing\r\n\r\n"),
             std::string_view("GET /poll HTTP/9.9\r\n\r\n"),
             std::string_view("GET /poll HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n"),
             std::string_view("GET /poll HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n"),
             std::string_view(kNulInValue, sizeof kNulInValue - 1),
             std::string_view("GET /poll HTTP/1.1\r\nHost: x\r\n: empty name\r\n\r\n"),
             std::string_view("GET /poll HTTP/1.1\r\nHost: x\r\nX-Sp\x01"
                              "ce: v\r\n\r\n"),
         })
      expect_refused(bad, 400);
  });
}

TEST_F(HostileInput, HeaderTooLargeIs431) {
  start();
  survives([&] {
    // One header over --max-header-bytes (8 KiB), and the same size spread over 60 headers (under the
    // count limit of 64).
    expect_refused("GET /poll HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n", 431);
    std::string many;
    for (int i = 0; i < 60; ++i) many += "X-" + std::to_string(i) + ": " + std::string(150, 'v') + "\r\n";
    expect_refused("GET /poll HTTP/1.1\r\nHost: x\r\n" + many + "\r\n", 431);
  });
}

TEST_F(HostileInput, TooManyHeadersAre431) {
  start();
  survives([&] {
    std::string many;
    for (int i = 0; i < 1000; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
    expect_refused("GET /poll HTTP/1.1\r\nHost: x\r\n" + many + "\r\n", 431);
  });
}

TEST_F(HostileInput, SmugglingFramingIs400AndPublishesNothing) {
  start();
  // Whatever body the attacker hides must not become an event: the subscribers' exact 1..N check catches it.
  survives([&] {
    expect_refused(
        "POST /publish?channel=good HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
        "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        400);
    expect_refused(
        "POST /publish?channel=good HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        "Content-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
        400);
    expect_refused(
        "POST /publish?channel=good HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"
        "hello!",
        400);
  });
}

TEST_F(HostileInput, HugeContentLengthIs413AndNegativeOrOverflowingIs400) {
  start();
  survives([&] {
    // Decided from the header alone: none of these sends a body.
    expect_refused("POST /publish?channel=good HTTP/1.1\r\nHost: x\r\nContent-Length: 1048577\r\n\r\n", 413);
    expect_refused(
        "POST /publish?channel=good HTTP/1.1\r\nHost: x\r\nContent-Length: 18446744073709551614\r\n\r\n",
        413);
    // Not a Content-Length at all (RFC 9112 6.3: invalid framing -> 400).
    expect_refused("POST /publish?channel=good HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400);
    expect_refused(
        "POST /publish?channel=good HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n",
        400);
  });
}

TEST_F(HostileInput, ChunkedBodyOverTheLimitIs413) {
  ServerConfig config = hostile_config();
  config.http.max_body_bytes = 4096;
  start(config);
  survives([&] {
    // No Content-Length to refuse up front: the limit must hold while the chunks arrive.
    std::string chunked =
        "POST /publish?channel=good HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 8; ++i) chunked += "400\r\n" + std::string(1024, 'c') + "\r\n";
    chunked += "0\r\n\r\n";
    expect_refused(chunked, 413);
  });
}

TEST_F(HostileInput, BadSinceTimeoutAndChannelAre400WithOneLine) {
  start();
  survives([&] {
    const std::string long_channel(65, 'c');
    for (const std::string& target : std::vector<std::string>{
             "/poll?since=abc", "/poll?since=-1", "/poll?since=99999999999999999999999",
             "/poll?channel=", "/poll?channel=bad!name", "/poll?channel=" + long_channel,
             "/longpoll?timeout=soon", "/longpoll?timeout=-5", "/longpoll?since=1x", "/sse?since=abc",
             "/sse?channel=%zz", "/ws?channel=bad%20name", "/ws?since=-3"}) {
      BlockingClient c(port());
      const bool ws = target.rfind("/ws", 0) == 0;
      ASSERT_TRUE(c.send(ws ? WsTestClient::upgrade_request(target)
                            : "GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n"));
      auto r = c.read_response();
      ASSERT_TRUE(r) << target;
      EXPECT_EQ(r->status, 400) << target;
      ASSERT_FALSE(r->body.empty()) << target;
      EXPECT_EQ(r->body.find('\n'), r->body.size() - 1) << target << ": " << r->body;
    }
  });
}

TEST_F(HostileInput, SlowlorisDrippingHeadersGets408) {
  ServerConfig config = hostile_config();
  config.http.header_timeout_ms = 300;
  start(config);
  survives([&] {
    // Three clients that each send one more header byte every 10 ms and never finish: each byte is progress
    // to a naive timer, so only a deadline on the whole head ends them.
    std::vector<std::unique_ptr<BlockingClient>> drips;
    for (int i = 0; i < 3; ++i) drips.push_back(std::make_unique<BlockingClient>(port()));
    const std::string head = "GET /poll HTTP/1.1\r\nHost: x\r\nX-Slow: " + std::string(100000, 'z');
    std::vector<bool> answered(drips.size(), false);
    std::size_t done = 0;
    // Bounded by the bytes of `head`: at 10 ms a byte that is 1000 s, far past any timeout.
    for (std::size_t pos = 0; pos < head.size() && done < drips.size(); ++pos) {
      for (std::size_t i = 0; i < drips.size(); ++i) {
        if (answered[i]) continue;
        pollfd p{drips[i]->fd(), POLLIN, 0};
        if (::poll(&p, 1, 0) > 0) {
          answered[i] = true;
          ++done;
          continue;
        }
        drips[i]->send(std::string_view(&head[pos], 1));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_EQ(done, drips.size());
    for (auto& c : drips) {
      auto r = c->read_response();
      ASSERT_TRUE(r);
      EXPECT_EQ(r->status, 408);
      EXPECT_EQ(r->header("connection"), "close");
      EXPECT_TRUE(c->wait_closed());
    }
    EXPECT_EQ(stat_value(port(), "http.header_timeouts"), drips.size());
  });
}

TEST_F(HostileInput, PublishSentByteByByteWorksAndArrivesInOrder) {
  start();
  survives([&] {
    BlockingClient c(port());
    const std::string text = "sent one byte at a time";
    const std::string request =
        "POST /publish?channel=good HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(text.size()) +
        "\r\n\r\n" + text;
    for (char ch : request) {
      ASSERT_TRUE(c.send(std::string_view(&ch, 1)));
      std::this_thread::sleep_for(std::chrono::milliseconds(1));  // each byte in its own read
    }
    auto r = c.read_response();
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200);
    expect_event(std::stoull(r->body), text);
  });
}

TEST_F(HostileInput, FiveThousandSilentConnectionsAreClosedByTheHeaderTimeout) {
  ServerConfig config = hostile_config();
  config.http.header_timeout_ms = 1000;
  start(config);
  const std::uint64_t open_before = stat_value(port(), "connections.open") - 1;  // minus the stats request
  survives([&] {
    // 5,000 pairs are 10,000 descriptors in this process (client and server ends), half the fd limit.
    constexpr int kSilent = 5000;
    std::vector<std::unique_ptr<BlockingClient>> silent;
    silent.reserve(kSilent);
    for (int i = 0; i < kSilent; ++i) {
      silent.push_back(std::make_unique<BlockingClient>(port()));
      ASSERT_TRUE(silent.back()->connected()) << i;
    }
    int closed_without_a_byte = 0;
    for (auto& c : silent) {
      if (c->wait_closed(std::chrono::seconds(20)) && c->buffer().empty()) ++closed_without_a_byte;
    }
    EXPECT_EQ(closed_without_a_byte, kSilent);
  });
  EXPECT_TRUE(wait_for_stat(port(), "connections.open", open_before + 1));
}

TEST_F(HostileInput, ConnectionsAtTheCapAreRefusedWith503WhileOpenOnesWork) {
  ServerConfig config = hostile_config();
  // The two publishers, the two subscribers and 16 idle keep-alive connections fill the cap.
  config.listen.max_connections = 20;
  start(config);
  survives([&] {
    std::vector<std::unique_ptr<BlockingClient>> fillers;
    for (int i = 0; i < 16; ++i) {
      fillers.push_back(std::make_unique<BlockingClient>(port()));
      auto r = fillers.back()->request("GET", "/poll?channel=other");  // answered: it holds a real slot
      ASSERT_TRUE(r) << i;
      ASSERT_EQ(r->status, 204) << i;
    }
    // Past the cap a new connection's first request is read and refused: 503 and close, except /sse, which
    // is closed unanswered (an EventSource gives up after a non-200 status but retries after a close).
    for (int i = 0; i < 20; ++i) {
      BlockingClient refused(port());
      ASSERT_TRUE(refused.send(i % 2 ? "GET /poll HTTP/1.1\r\nHost: x\r\n\r\n"
                                     : "GET /sse?channel=good HTTP/1.1\r\nHost: x\r\n\r\n"));
      EXPECT_TRUE(refused.wait_closed()) << i;
      if (i % 2 == 0) {
        EXPECT_EQ(refused.buffer(), "") << i;
        continue;
      }
      auto r = refused.read_response();
      ASSERT_TRUE(r) << i << " [" << refused.buffer() << "]";
      EXPECT_EQ(r->status, 503);
      EXPECT_EQ(r->header("connection"), "close");
      EXPECT_EQ(r->header("retry-after"), "1");
    }
    // The connections that were in keep working.
    for (auto& f : fillers) {
      auto r = f->request("GET", "/poll?channel=other");
      ASSERT_TRUE(r);
      EXPECT_EQ(r->status, 204);
    }
  });
}

// --- WebSocket
// ----------------------------------------------------------------------------------------------

TEST_F(HostileInput, WsUnmaskedFrameIs1002) {
  start();
  survives([&] {
    for (std::string_view target : {"/ws?channel=good", "/echo"})
      expect_ws_failed(target, ws_frame(kFin | kText, "unmasked", nullptr), 1002);
  });
}

TEST_F(HostileInput, WsInvalidUtf8Is1007) {
  start();
  survives([&] {
    for (std::string_view target : {"/ws?channel=good", "/echo"}) {
      expect_ws_failed(target, ws_frame(kFin | kText, "ok \xED\xA0\x80 surrogate", kMask), 1007);
      // Split across fragments: the first fragment's tail cannot become valid with any continuation.
      expect_ws_failed(
          target, ws_frame(kText, "abc\xF4", kMask) + ws_frame(kFin | kCont, "\x90\x80\x80", kMask), 1007);
    }
  });
}

TEST_F(HostileInput, WsOversizeFrameIs1009FromItsHeader) {
  start();
  survives([&] {
    for (std::string_view target : {"/ws?channel=good", "/echo"}) {
      // Only the header: a server that buffered before deciding would wait for 1 TiB.
      expect_ws_failed(target, ws_header(kFin | kText, std::uint64_t{1} << 40, kMask), 1009);
      expect_ws_failed(target, ws_header(kFin | kBinary, (16u << 20) + 1, kMask), 1009);
    }
  });
}

TEST_F(HostileInput, WsFragmentFloodIs1009) {
  start();
  survives([&] {
    for (std::string_view target : {"/ws?channel=good", "/echo"}) {
      // More than --ws-max-fragments (1024) empty continuations: tiny in bytes, unbounded in count.
      std::string flood = ws_frame(kText, "a", kMask);
      for (int i = 0; i < 5000; ++i) flood += ws_frame(kCont, "", kMask);
      expect_ws_failed(target, flood, 1009);
    }
  });
}

TEST_F(HostileInput, WsPingFloodFromAReaderIsAnsweredPingByPing) {
  start();
  survives([&] {
    for (std::string_view target : {"/ws?channel=other", "/echo"}) {
      WsTestClient c(port(), target);
      ASSERT_TRUE(c.upgraded());
      constexpr int kPings = 20000;
      // Written by a second thread while this one reads, so the flood is as fast as the socket allows.
      std::thread writer([&] {
        std::string batch;
        for (int i = 0; i < kPings; ++i) {
          batch += ws_frame(kFin | kPing, "ping " + std::to_string(i), kMask);
          if (batch.size() > 64 * 1024 || i == kPings - 1) {
            c.send_raw(batch);
            batch.clear();
          }
        }
      });
      int answered = 0;
      for (; answered < kPings; ++answered) {
        auto f = c.read_frame(std::chrono::seconds(10));
        if (!f || f->b0 != (kFin | kPong) || f->payload != "ping " + std::to_string(answered)) break;
      }
      writer.join();
      EXPECT_EQ(answered, kPings) << target;
      EXPECT_TRUE(c.close_cleanly()) << target;
    }
  });
}

TEST_F(HostileInput, WsPingFloodFromANonReaderStaysBounded) {
  ServerConfig config = hostile_config();
  config.listen.connection_limits.max_queued_bytes = 256 * 1024;
  config.listen.connection_limits.high_watermark = 64 * 1024;
  start(config);
  survives([&] {
    // /ws: the pongs pile up in a queue that never drains, so the peer is dropped as a slow consumer
    // (1008, or TCP closed when not even the close frame fits); the flood never grows the queue past
    // its bound.
    {
      SmallWindowClient flooder(port());
      ASSERT_TRUE(flooder.send(WsTestClient::upgrade_request("/ws?channel=other")));
      const std::string pings = [] {
        std::string s;
        for (int i = 0; i < 512; ++i) s += ws_frame(kFin | kPing, std::string(125, 'p'), kMask);
        return s;
      }();
      int sent = 0;
      // Bounded: 4096 writes of 67 KiB are 270 MiB of pings, a thousand times the queue bound.
      while (sent < 4096 && flooder.send(pings)) ++sent;
      EXPECT_LT(sent, 4096) << "the server never dropped a peer that does not read its pongs";
    }
    EXPECT_TRUE(wait_for_stat(port(), "transports.ws.dropped_slow", 1));
    EXPECT_EQ(stat_value(port(), "dropped_slow_consumers"), 1u);
  });
}

TEST_F(HostileInput, EchoPingFloodFromALateReaderIsPausedNotDropped) {
  ServerConfig config = hostile_config();
  config.listen.connection_limits.max_queued_bytes = 256 * 1024;
  config.listen.connection_limits.high_watermark = 64 * 1024;
  start(config);
  survives([&] {
    // 40,000 pongs of 127 B are 5 MB, twenty times the queue bound: /echo stops reading instead of dropping,
    // and every pong arrives once the peer reads.
    WsTestClient c(port(), "/echo");
    ASSERT_TRUE(c.upgraded());
    constexpr int kPings = 40000;
    std::thread writer([&] {
      std::string batch;
      for (int i = 0; i < kPings; ++i) {
        std::string payload = std::to_string(i);
        payload.resize(125, '.');
        batch += ws_frame(kFin | kPing, payload, kMask);
        if (batch.size() > 64 * 1024 || i == kPings - 1) {
          c.send_raw(batch);
          batch.clear();
        }
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // not reading: the pongs pile up
    int answered = 0;
    for (; answered < kPings; ++answered) {
      auto f = c.read_frame(std::chrono::seconds(10));
      std::string expected = std::to_string(answered);
      expected.resize(125, '.');
      if (!f || f->b0 != (kFin | kPong) || f->payload != expected) break;
    }
    writer.join();
    EXPECT_EQ(answered, kPings);
    EXPECT_TRUE(c.close_cleanly());
    EXPECT_EQ(stat_value(port(), "dropped_slow_consumers"), 0u);
  });
}

TEST_F(HostileInput, WsCloseFloodGetsOneCloseAndTcpClosed) {
  start();
  survives([&] {
    for (std::string_view target : {"/ws?channel=other", "/echo"}) {
      WsTestClient c(port(), target);
      ASSERT_TRUE(c.upgraded());
      std::string flood;
      for (int i = 0; i < 2000; ++i) flood += c.frame(kFin | kClose, ws_close_payload(i % 2 ? 1000 : 4000));
      flood += c.frame(kFin | kText, "after the closes");
      // The server may close TCP while the tail of the flood is still being written.
      c.send_raw(flood);
      std::vector<WsFrame> before;
      EXPECT_EQ(c.read_close_code(&before), 4000) << target;
      EXPECT_TRUE(before.empty()) << target;
      EXPECT_TRUE(c.closed_with_nothing_more()) << target;
    }
    // Many peers doing it at once, none reading until all have sent.
    std::vector<std::unique_ptr<WsTestClient>> peers;
    for (int i = 0; i < 50; ++i) {
      peers.push_back(std::make_unique<WsTestClient>(port(), i % 2 ? "/echo" : "/ws?channel=other"));
      ASSERT_TRUE(peers.back()->upgraded());
      std::string flood;
      for (int j = 0; j < 200; ++j) flood += peers.back()->frame(kFin | kClose, ws_close_payload(1000));
      peers.back()->send_raw(flood);
    }
    for (auto& p : peers) {
      EXPECT_EQ(p->read_close_code(), 1000);
      EXPECT_TRUE(p->closed_with_nothing_more());
    }
  });
}

}  // namespace
}  // namespace rtb::test
