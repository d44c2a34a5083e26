// Fuzzes the server's HTTP request path: client bytes through TcpConnection, HttpConnection (llhttp, limits,
// pipelining, keep-alive, deferral, upgrade) and the real Worker's routes, then checks the bytes it answers.
//
// Input: byte 0 is a set of switches: bits 0-1 the number of writes (1-3; 0 means 1), bit 2 the
// client half-closes after the last one, bit 3 the client is slow (small socket buffers, reads nothing until
// the end), bit 4 two events are published after the input (live fan-out to parked polls, streams and
// sockets), bit 5 the server shuts down gracefully before the client leaves, bit 6 the client closes right
// after its last write without reading (answers meet EPIPE or ECONNRESET). Bytes 1 and 2 place the write
// boundaries (fractions of the rest, in 256ths); the rest is what the client sends.
#include <llhttp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "transports/http/header_tokens.hpp"
#include "transports/net/loop.hpp"
#include "transports/net/tcp_connection.hpp"
#include "transports/server/worker.hpp"

namespace rtb {
namespace {

// Loop turns without new output after which the server counts as idle: the second catches work that the first
// posted for later (a LoopTask resuming pipelined requests, a write that waited for the socket).
constexpr int kQuietTurns = 2;
// Bounds one pump, so an input that keeps the server busy (a stream that never stops) cannot hang the run.
constexpr int kMaxTurns = 64;

[[noreturn]] void violation(const char* what, std::string_view detail = {}) {
  std::fprintf(stderr, "http_request_fuzz: %s %.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

// Small limits, so that short inputs reach every limit path: 413, 414, 431, paused reading of pipelined
// input, answers refused by the send queue, history and channel caps.
ServerConfig fuzz_config() {
  ServerConfig c;
  c.listen.port = 0;
  c.listen.connection_limits.max_queued_bytes = 8 * 1024;  // backpressure from 4 KiB
  c.http.max_header_bytes = 1024;
  c.http.max_headers = 16;
  c.http.max_body_bytes = 2048;
  c.http.max_buffered_input = 1024;
  c.hub.history = 8;
  c.hub.max_channels = 4;
  c.batch.max_events = 8;
  return c;
}

// One loop for the whole process: creating it costs an epoll fd and an eventfd per input, and reusing it lets
// each input check that the previous one left nothing behind.
Loop& fuzz_loop() {
  static Loop loop;
  return loop;
}

std::size_t count_handles(Loop& loop) {
  std::size_t n = 0;
  uv_walk(
      loop.get(), [](uv_handle_t*, void* arg) { ++*static_cast<std::size_t*>(arg); }, &n);
  return n;
}

// The client end of the socketpair: non-blocking, so the harness never waits on the server.
class Peer {
 public:
  explicit Peer(int fd) : fd_(fd) {}
  ~Peer() { close(); }
  Peer(const Peer&) = delete;
  Peer& operator=(const Peer&) = delete;

  // Bytes the socket took now (0 when its buffer is full or the server is gone).
  std::size_t send_some(std::string_view bytes) {
    if (fd_ < 0 || bytes.empty()) return 0;
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    return n > 0 ? static_cast<std::size_t>(n) : 0;
  }
  // Reads whatever the server has written so far; returns how many bytes that was.
  std::size_t drain() {
    std::size_t total = 0;
    char buf[16 * 1024];
    while (fd_ >= 0) {
      ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
      if (n <= 0) break;
      received_.append(buf, static_cast<std::size_t>(n));
      total += static_cast<std::size_t>(n);
    }
    return total;
  }
  void half_close() {
    if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
  }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  const std::string& received() const { return received_; }

 private:
  int fd_;
  std::string received_;
};

// Which requests in the client's stream are HEAD requests, in order, parsed the way HttpConnection parses
// them; a HEAD answer has a Content-Length but no body, so the response checker must know.
std::vector<bool> head_requests(std::string_view stream) {
  struct State {
    std::vector<bool> heads;
  } state;
  llhttp_settings_t settings;
  llhttp_settings_init(&settings);
  settings.on_message_complete = [](llhttp_t* p) {
    static_cast<State*>(p->data)->heads.push_back(llhttp_get_method(p) == HTTP_HEAD);
    return 0;
  };
  llhttp_t parser;
  llhttp_init(&parser, HTTP_REQUEST, &settings);
  parser.data = &state;
  const char* p = stream.data();
  std::size_t n = stream.size();
  while (n > 0) {
    llhttp_errno_t err = llhttp_execute(&parser, p, n);
    // After an upgrade request the server either switched protocols (and the checker stops at its 101) or
    // answered normally and went on parsing HTTP, as this does.
    if (err != HPE_PAUSED_UPGRADE) break;
    std::size_t used = static_cast<std::size_t>(llhttp_get_error_pos(&parser) - p);
    p += used;
    n -= used;
    llhttp_resume_after_upgrade(&parser);
  }
  return state.heads;
}

// Splits the server's output into responses with llhttp and checks each one's start and framing.
class ResponseChecker {
 public:
  explicit ResponseChecker(std::vector<bool> heads) : heads_(std::move(heads)) {
    llhttp_settings_init(&settings_);
    // Pausing at each message start gives its offset, so its first bytes can be checked verbatim.
    settings_.on_message_begin = [](llhttp_t*) { return static_cast<int>(HPE_PAUSED); };
    settings_.on_header_field = [](llhttp_t* p, const char* at, std::size_t n) {
      return self(p).on_header_field({at, n});
    };
    settings_.on_header_value = [](llhttp_t* p, const char* at, std::size_t n) {
      return self(p).on_header_value({at, n});
    };
    settings_.on_headers_complete = [](llhttp_t* p) { return self(p).on_headers_complete(); };
    llhttp_init(&parser_, HTTP_RESPONSE, &settings_);
    parser_.data = this;
  }

  void check(std::string_view out) {
    const char* p = out.data();
    std::size_t n = out.size();
    while (n > 0) {
      llhttp_errno_t err = llhttp_execute(&parser_, p, n);
      if (err == HPE_OK || err == HPE_PAUSED_UPGRADE) return;  // truncated last answer, or a 101
      if (err != HPE_PAUSED) {
        violation("unparsable response:", llhttp_errno_name(err));
      }
      std::size_t used = static_cast<std::size_t>(llhttp_get_error_pos(&parser_) - p);
      p += used;
      n -= used;
      check_start({p, n});
      llhttp_resume(&parser_);
      ++responses_;
      content_type_.clear();
      connection_.clear();
    }
  }
  std::size_t responses() const { return responses_; }

 private:
  static ResponseChecker& self(llhttp_t* p) { return *static_cast<ResponseChecker*>(p->data); }

  // "HTTP/1.1 " and a 3-digit status; a close may cut the last answer short, so a short tail is compared as
  // far as it goes.
  static void check_start(std::string_view rest) {
    static constexpr std::string_view kShape = "HTTP/1.1 ddd ";
    for (std::size_t i = 0; i < kShape.size() && i < rest.size(); ++i) {
      bool ok = kShape[i] == 'd' ? (rest[i] >= '0' && rest[i] <= '9') : rest[i] == kShape[i];
      if (!ok) violation("response does not start with HTTP/1.1 and a status:", rest.substr(0, 32));
    }
  }

  int on_header_field(std::string_view piece) {
    if (in_value_) field_.clear();
    in_value_ = false;
    field_.append(piece);
    return 0;
  }
  int on_header_value(std::string_view piece) {
    in_value_ = true;
    if (iequals(field_, "content-type")) content_type_.append(piece);
    if (iequals(field_, "connection")) connection_.append(piece);
    return 0;
  }
  int on_headers_complete() {
    in_value_ = false;
    field_.clear();
    const int status = llhttp_get_status_code(&parser_);
    if (status < 100 || status > 599) violation("status out of range");
    if (status == 101) return 2;  // the rest of the stream is the upgraded protocol
    const std::size_t index = responses_ - 1;
    // HttpConnection::fail() answers a request it could not parse: it ignores the method (always a body) and
    // is the only answer that is plain "text/plain" with a close, from 400 up.
    const bool failed_request = status >= 400 && content_type_ == "text/plain" && connection_ == "close";
    if (index < heads_.size() && heads_[index] && !failed_request) return 1;  // HEAD: no body follows
    return 0;
  }

  std::vector<bool> heads_;
  llhttp_settings_t settings_;
  llhttp_t parser_;
  std::size_t responses_ = 0;
  std::string field_;
  std::string content_type_;
  std::string connection_;
  bool in_value_ = false;
};

struct Input {
  std::vector<std::string_view> chunks;
  std::string_view stream;
  bool half_close = false;
  bool slow_reader = false;
  bool publish = false;
  bool shutdown = false;
  bool abrupt_close = false;
};

Input split_input(const std::uint8_t* data, std::size_t size) {
  Input in;
  if (size < 3) {
    in.stream = {reinterpret_cast<const char*>(data), size};
    in.chunks.push_back(in.stream);
    return in;
  }
  const unsigned chunks = std::max(1u, data[0] & 3u);
  in.half_close = data[0] & 4;
  in.slow_reader = data[0] & 8;
  in.publish = data[0] & 16;
  in.shutdown = data[0] & 32;
  in.abrupt_close = data[0] & 64;
  in.stream = {reinterpret_cast<const char*>(data) + 3, size - 3};
  std::string_view rest = in.stream;
  for (unsigned i = 1; i < chunks; ++i) {
    std::size_t cut = rest.size() * data[i] / 256;
    in.chunks.push_back(rest.substr(0, cut));
    rest.remove_prefix(cut);
  }
  in.chunks.push_back(rest);
  return in;
}

void run_one(const std::uint8_t* data, std::size_t size) {
  Loop& loop = fuzz_loop();
  static const std::size_t baseline_handles = count_handles(loop);
  const std::uint64_t baseline_open = loop.counters().connections_open;
  const Input in = split_input(data, size);
  const ServerConfig config = fuzz_config();
  const std::size_t max_queued = config.listen.connection_limits.max_queued_bytes;

  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) violation("socketpair failed");
  if (in.slow_reader) {
    // Kernel buffers this small fill after a few answers, so the server's own queue takes the rest:
    // backpressure, the queue bound, dropped slow consumers.
    const int small = 4096;
    ::setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    ::setsockopt(fds[1], SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  }
  Peer peer(fds[1]);
  bool reading = !in.slow_reader;
  {
    Worker server(loop, config);
    TcpConnection* connection = TcpConnection::create(loop, config.listen.connection_limits);
    if (connection->open_socket(fds[0]) != 0) violation("open_socket failed");
    server.adopt(*connection);
    // The connection frees itself when it closes; the open-connection counter says whether it still exists.
    auto alive = [&] { return loop.counters().connections_open > baseline_open; };

    auto pump = [&] {
      for (int turn = 0, quiet = 0; turn < kMaxTurns && quiet < kQuietTurns; ++turn) {
        loop.run(UV_RUN_NOWAIT);
        quiet = !reading || peer.drain() == 0 ? quiet + 1 : 0;
        if (alive() && connection->queued_bytes() > max_queued) violation("send queue above its bound");
      }
    };
    for (std::size_t i = 0; i < in.chunks.size(); ++i) {
      std::string_view chunk = in.chunks[i];
      if (in.abrupt_close && i + 1 == in.chunks.size()) {
        // Gone before the answers: the server reads EOF or a reset and writes into a closed socket, which
        // must cost it that connection only (SIGPIPE would end this process: the Loop ignores it).
        peer.send_some(chunk);
        peer.close();
        pump();
        break;
      }
      // A server that stopped reading (pipelined input over its bound) may never take the whole chunk.
      for (int turn = 0; !chunk.empty() && turn < kMaxTurns; ++turn) {
        chunk.remove_prefix(peer.send_some(chunk));
        pump();
      }
    }
    if (in.publish) {
      // Nothing in one client's byte stream can publish while its own request is parked (pipelined requests
      // wait), so another publisher is simulated: channel "default" and "a" are the ones the seeds use.
      server.hub().publish("default", "live one");
      server.hub().publish("a", "live\ntwo");
      if (in.slow_reader) {
        // More than a slow client's queue holds: its SSE stream or WebSocket is dropped as a slow consumer.
        const std::string big(1024, 'x');
        for (int i = 0; i < 10; ++i) {
          server.hub().publish("default", big);
          server.hub().publish("a", big);
        }
      }
      pump();
    }
    if (in.half_close) {
      peer.half_close();
      pump();
    }
    if (in.shutdown) {
      server.shutdown();
      pump();
    }
    reading = true;  // a slow client catches up before it leaves, so every answer gets checked
    pump();
    peer.drain();
    peer.close();
    pump();
    // ~Worker closes whatever is still open (a parked long poll, an SSE stream) and runs the close callbacks.
  }
  loop.run(UV_RUN_NOWAIT);  // the listener's close callback

  if (loop.counters().connections_open != baseline_open) violation("a connection outlived its server");
  if (count_handles(loop) != baseline_handles) violation("a libuv handle outlived its server");

  // RTB_FUZZ_DEBUG=1 shows what the server answered, for reading a reproducer.
  static const bool debug = std::getenv("RTB_FUZZ_DEBUG") != nullptr;
  if (debug) std::fprintf(stderr, "--- server wrote:\n%s\n---\n", peer.received().c_str());
  ResponseChecker checker(head_requests(in.stream));
  checker.check(peer.received());
  if (debug) std::fprintf(stderr, "%zu responses checked\n", checker.responses());
}

}  // namespace
}  // namespace rtb

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  rtb::run_one(data, size);
  return 0;
}
