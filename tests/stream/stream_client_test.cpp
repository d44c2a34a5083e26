// StreamClient against a real Worker (every event once and in order, resume after a cut, heartbeats as
// framing, error statuses) and against a scripted one for chunked framing a real server never sends: chunks
// split across reads and records split across chunks, chunk extensions and trailers, a clean end followed by
// a resume, a chunk size that is not hex, a wrong content type, a head that never comes. Stop/start and gaps:
// tests/harness/scenario/client_contract_test.cpp, for every client.
#include "transports/stream/stream_client.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tests/server/server_test_util.hpp"
#include "tests/stream/scripted_server.hpp"
#include "tests/support/client_loop.hpp"
#include "tests/support/event_sequence.hpp"
#include "transports/server/worker.hpp"
#include "transports/stream/stream_transport.hpp"

// A namespace of its own: unity builds put several test files in one translation unit.
namespace rtb::test::stream_client {
namespace {

constexpr std::string_view kHead =
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n";

std::string chunk(std::string_view payload) {
  char hex[24];
  std::snprintf(hex, sizeof hex, "%zx", payload.size());
  return std::string(hex) + "\r\n" + std::string(payload) + "\r\n";
}

TEST(StreamClient, ReceivesEveryEventOnceInOrder) {
  TestServer server;
  Loop loop(10);
  RecordingEvents got;
  StreamClient client(loop, loopback_options(server.port(), "stream"), got);
  client.start();
  ASSERT_TRUE(run_until(loop, [&] { return client.streaming(); }));
  publish_range(server.port(), "stream", 1, 20);
  ASSERT_TRUE(run_until(loop, [&] { return got.events.size() >= 20; }));
  publish_range(server.port(), "stream", 21, 50);
  ASSERT_TRUE(run_until(loop, [&] { return got.events.size() >= 50; }));
  expect_exactly(got, 1, 50);
  EXPECT_EQ(client.last_id(), 50u);
  EXPECT_TRUE(got.errors.empty());
  EXPECT_TRUE(got.gaps.empty());
  EXPECT_EQ(client.counters().connects, 1u);
  EXPECT_EQ(client.counters().requests, 1u);
  EXPECT_EQ(client.counters().responses, 0u);  // the response never ends
  expect_counters_match_the_wire(loop, client.counters(), got);
  client.stop();
  EXPECT_TRUE(client.closed());
}

// A body cut without its last chunk is reported once as a reset, and the client resumes with since=<last id>:
// the events published while it had no stream come from history.
TEST(StreamClient, ResumesAfterTheServerCutsTheStream) {
  TestServer server;
  Loop loop(10);
  RecordingEvents got;
  StreamClient client(loop, loopback_options(server.port(), "drop"), got);
  client.start();
  ASSERT_TRUE(run_until(loop, [&] { return client.streaming(); }));
  publish_range(server.port(), "drop", 1, 10);
  ASSERT_TRUE(run_until(loop, [&] { return got.events.size() >= 10; }));
  server.run_on_loop([&] { server.server().force_close_all(); });
  publish_range(server.port(), "drop", 11, 20);
  ASSERT_TRUE(run_until(loop, [&] { return got.events.size() >= 20; }));
  publish_range(server.port(), "drop", 21, 25);
  ASSERT_TRUE(run_until(loop, [&] { return got.events.size() >= 25; }));
  expect_exactly(got, 1, 25);
  EXPECT_EQ(client.counters().connects, 2u);
  EXPECT_EQ(client.counters().requests, 2u);
  ASSERT_EQ(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].kind, ClientErrorKind::kReset);
  EXPECT_EQ(got.errors[0].detail, "stream cut before its last chunk");
  expect_counters_match_the_wire(loop, client.counters(), got);
}

// Heartbeat chunks deliver nothing and count as framing; the header count stays the response head's.
TEST(StreamClient, HeartbeatChunksAreFramingAndDeliverNothing) {
  ServerConfig config = TestServer::default_config();
  config.transports.get<StreamConfig>().heartbeat_ms = 100;
  TestServer server(config);
  Loop loop(10);
  RecordingEvents got;
  StreamClient client(loop, loopback_options(server.port(), "hb"), got);
  client.start();
  ASSERT_TRUE(run_until(loop, [&] { return client.counters().framing_bytes_down >= 10; }));
  const std::uint64_t head = client.counters().header_bytes_down;
  const std::uint64_t heartbeat = chunk(":\n\n").size();
  ASSERT_TRUE(run_until(loop, [&] { return client.counters().framing_bytes_down >= 3 * heartbeat; }));
  EXPECT_EQ(client.counters().header_bytes_down, head);
  EXPECT_EQ(client.counters().framing_bytes_down % heartbeat, 0u);  // whole heartbeat chunks
  EXPECT_TRUE(got.events.empty());
  EXPECT_EQ(client.counters().payload_bytes_down, 0u);
  expect_counters_match_the_wire(loop, client.counters(), got);
}

TEST(StreamClient, AnErrorStatusIsReportedAndRetried) {
  TestServer server;
  Loop loop(10);
  RecordingEvents got;
  StreamClient client(loop, loopback_options(server.port(), "bad%20name"), got);
  client.start();
  ASSERT_TRUE(run_until(loop, [&] { return got.errors.size() >= 2; }));
  EXPECT_EQ(got.errors_of(ClientErrorKind::kHttpStatus), got.errors.size());
  EXPECT_EQ(got.errors[0].detail, "HTTP 400");
  EXPECT_GE(client.counters().requests, 2u);
  client.stop();
  run_briefly(loop);
  expect_counters_match_the_wire(loop, client.counters(), got);
}

// The head, two chunks and the start of a third in one write: the head's bytes are counted as header and
// every chunk line as framing, however the reads fall.
TEST(StreamClient, ChunkLinesCountAsFramingAndTheHeadAsHeader) {
  const std::string body = chunk("id: 1\ndata: one\n\n") + chunk("id: 2\ndata: two\n\n");
  ScriptedServer server(1, [&](ScriptedServer& s, int fd, int) {
    if (!s.read_request(fd)) return;
    ScriptedServer::send_all(fd, std::string(kHead) + body + "1");
    ScriptedServer::send_all(fd, "3\r\nid: 3\ndata: three\n\n\r\n");  // 0x13 bytes
    ScriptedServer::wait_for_close(fd);
  });
  Loop loop(10);
  RecordingEvents got;
  StreamClient client(loop, loopback_options(server.port(), "c"), got);
  client.start();
  ASSERT_TRUE(run_until(loop, [&] { return got.events.size() >= 3; }));
  EXPECT_EQ(client.counters().header_bytes_down, kHead.size());
  EXPECT_EQ(client.counters().payload_bytes_down, 3u + 3u + 5u);
  EXPECT_EQ(client.counters().framing_bytes_down, loop.counters().bytes_in - kHead.size() - 11u);
  expect_counters_match_the_wire(loop, client.counters(), got);
  client.stop();
  ASSERT_TRUE(run_until(loop, [&] { return server.done(); }));
  EXPECT_EQ(server.request_lines(), std::vector<std::string>{"GET /stream?channel=c&since=0 HTTP/1.1"});
}

// Every byte in a read of its own, and records that do not line up with chunks: one record over two chunks,
// two records in one chunk. What arrives is the same as if it came in one piece.
TEST(StreamClient, ChunksSplitAcrossReadsAndRecordsAcrossChunksAreReassembled) {
  ScriptedServer server(1, [&](ScriptedServer& s, int fd, int) {
    if (!s.read_request(fd)) return;
    ScriptedServer::dribble(fd, std::string(kHead) + chunk("id: 1\nda") +
                                    chunk("ta: one\n\nid: 2\ndata: two\n\n") +
                                    chunk("id: 3\ndata: 3a\ndata: 3b\n\n"));
    ScriptedServer::wait_for_close(fd);
  });
  Loop loop(10);
  RecordingEvents got;
  StreamClient client(loop, loopback_options(server.port(), "c"), got);
  client.start();
  ASSERT_TRUE(run_until(loop, [&] { return got.events.size() >= 3; }));
  ASSERT_EQ(got.events.size(), 3u);
  EXPECT_EQ(got.events[0], std::make_pair(std::uint64_t{1}, std::string("one")));
  EXPECT_EQ(got.events[1], std::make_pair(std::uint64_t{2}, std::string("two")));
  EXPECT_EQ(got.events[2], std::make_pair(std::uint64_t{3}, std::string("3a\n3b")));
  EXPECT_TRUE(got.errors.empty());
  EXPECT_EQ(client.counters().header_bytes_down, kHead.size());
  expect_counters_match_the_wire(loop, client.counters(), got);
  client.stop();
  ASSERT_TRUE(run_until(loop, [&] { return server.done(); }));
}

// Chunk extensions (RFC 9112 7.1.1) are ignored, a last chunk with a trailer section ends the body cleanly
// (no error), and the client comes back with since=<last id> on a new connection. (llhttp 8.1 refuses some
// valid extension lists, e.g. one after a token value: ";a=b;c=d"; the extensions here are ones it takes.)
TEST(StreamClient, ExtensionsAndTrailersAreAcceptedAndACleanEndResumes) {
  ScriptedServer server(2, [&](ScriptedServer& s, int fd, int index) {
    if (!s.read_request(fd)) return;
    if (index == 0) {
      ScriptedServer::send_all(fd, std::string(kHead) +
                                       "11;q=\"a;b\";name=value\r\nid: 1\ndata: one\n\n\r\n" +
                                       chunk("event: gap\ndata: 2-4\n\n") + chunk("id: 5\ndata: five\n\n") +
                                       "0;last=yes\r\nX-Trailer: done\r\n\r\n");
    } else {
      ScriptedServer::send_all(fd, std::string(kHead) + chunk("id: 6\ndata: six\n\n"));
    }
    ScriptedServer::wait_for_close(fd);
  });
  Loop loop(10);
  RecordingEvents got;
  ClientOptions options = loopback_options(server.port(), "c");
  StreamClient client(loop, options, got);
  client.start();
  ASSERT_TRUE(run_until(loop, [&] { return got.events.size() >= 3; }))
      << (got.errors.empty() ? "" : got.errors[0].detail);
  ASSERT_EQ(got.events.size(), 3u);
  EXPECT_EQ(got.events[0], std::make_pair(std::uint64_t{1}, std::string("one")));
  EXPECT_EQ(got.events[1], std::make_pair(std::uint64_t{5}, std::string("five")));
  EXPECT_EQ(got.events[2], std::make_pair(std::uint64_t{6}, std::string("six")));
  ASSERT_EQ(got.gaps.size(), 1u);
  EXPECT_EQ(got.gaps[0], std::make_pair(std::uint64_t{2}, std::uint64_t{4}));
  EXPECT_TRUE(got.errors.empty()) << got.errors[0].detail;
  EXPECT_EQ(client.counters().responses, 1u);
  EXPECT_EQ(client.counters().connects, 2u);
  expect_counters_match_the_wire(loop, client.counters(), got);
  client.stop();
  ASSERT_TRUE(run_until(loop, [&] { return server.done(); }));
  EXPECT_EQ(server.request_lines(), (std::vector<std::string>{"GET /stream?channel=c&since=0 HTTP/1.1",
                                                              "GET /stream?channel=c&since=5 HTTP/1.1"}));
}

// A chunk size that is not hex is a protocol error: the connection is dropped and the client resumes after
// the last event it got.
TEST(StreamClient, AChunkSizeThatIsNotHexIsAProtocolError) {
  ScriptedServer server(2, [&](ScriptedServer& s, int fd, int index) {
    if (!s.read_request(fd)) return;
    if (index == 0) {
      ScriptedServer::send_all(
          fd, std::string(kHead) + chunk("id: 7\ndata: seven\n\n") + "zz\r\nid: 8\ndata: eight\n\n\r\n");
    }
    ScriptedServer::wait_for_close(fd);
  });
  Loop loop(10);
  RecordingEvents got;
  StreamClient client(loop, loopback_options(server.port(), "c"), got);
  client.start();
  ASSERT_TRUE(run_until(loop, [&] { return server.request_lines().size() >= 2; }));
  ASSERT_EQ(got.events.size(), 1u);
  EXPECT_EQ(got.events[0].first, 7u);
  ASSERT_GE(got.errors.size(), 1u);
  EXPECT_EQ(got.errors[0].kind, ClientErrorKind::kProtocol);
  EXPECT_EQ(server.request_lines()[1], "GET /stream?channel=c&since=7 HTTP/1.1");
  client.stop();
  ASSERT_TRUE(run_until(loop, [&] { return server.done(); }));
}

TEST(StreamClient, AContentTypeOtherThanEventStreamIsAProtocolError) {
  ScriptedServer server(1, [&](ScriptedServer& s, int fd, int) {
    if (!s.read_request(fd)) return;
    ScriptedServer::send_all(
        fd,
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk("<html>"));
    ScriptedServer::wait_for_close(fd);
  });
  Loop loop(10);
  RecordingEvents got;
  StreamClient client(loop, loopback_options(server.port(), "c"), got);
  client.start();
  ASSERT_TRUE(run_until(loop, [&] { return !got.errors.empty(); }));
  EXPECT_EQ(got.errors[0].kind, ClientErrorKind::kProtocol);
  EXPECT_NE(got.errors[0].detail.find("text/html"), std::string::npos);
  EXPECT_TRUE(got.events.empty());
  client.stop();
  ASSERT_TRUE(run_until(loop, [&] { return server.done(); }));
}

TEST(StreamClient, AHeadThatNeverComesTimesOut) {
  ScriptedServer server(1, [&](ScriptedServer& s, int fd, int) {
    if (!s.read_request(fd)) return;
    ScriptedServer::wait_for_close(fd);
  });
  Loop loop(10);
  RecordingEvents got;
  ClientOptions options = loopback_options(server.port(), "c");
  options.request_timeout_ms = 100;
  StreamClient client(loop, options, got);
  client.start();
  ASSERT_TRUE(run_until(loop, [&] { return !got.errors.empty(); }));
  EXPECT_EQ(got.errors[0].kind, ClientErrorKind::kTimeout);
  client.stop();
  ASSERT_TRUE(run_until(loop, [&] { return server.done(); }));
}

}  // namespace
}  // namespace rtb::test::stream_client
