// HttpConnection: the server side of HTTP/1.1 on one Stream, over llhttp, with limits and pipelining.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "transports/http/http_request.hpp"
#include "transports/http/request_reader_pool.hpp"
#include "transports/http/response_writer.hpp"
#include "transports/http/router.hpp"
#include "transports/net/loop.hpp"
#include "transports/net/stream.hpp"
#include "transports/net/timer_wheel.hpp"

namespace rtb {

struct HttpLimits {
  std::size_t max_header_bytes = 8 * 1024;       // request line + headers -> 431
  std::size_t max_headers = 64;                  // -> 431
  std::size_t max_body_bytes = 1024 * 1024;      // -> 413
  std::uint32_t header_timeout_ms = 10'000;      // a request head must arrive within this -> 408 (slowloris)
  std::uint32_t keep_alive_timeout_ms = 75'000;  // idle keep-alive connections are closed after this
  std::size_t max_buffered_input = 64 * 1024;    // pipelined input held while a request is deferred
};

struct HttpCounters {
  std::uint64_t requests = 0;
  std::uint64_t responses_2xx = 0;
  std::uint64_t responses_4xx = 0;
  std::uint64_t responses_5xx = 0;
  std::uint64_t parse_errors = 0;
  std::uint64_t header_timeouts = 0;
  std::uint64_t connections = 0;  // currently open HTTP connections (any state)
};

// What a request turns into when it is not answered at once: a parked long poll, an SSE stream, or a protocol
// that took over the connection (WebSocket). The connection owns it; destroying it must unregister it.
class HttpSession {
 public:
  virtual ~HttpSession() = default;
  // Only for upgraded sessions: raw bytes after the upgrade.
  virtual void on_session_data(char* data, std::size_t len) {
    (void)data;
    (void)len;
  }
  virtual void on_session_drained() {}
  // The connection's timer, lent to the session (schedule_session_timer()).
  virtual void on_session_timer() {}
};

class HttpConnection;

// What every connection of one server shares: routes, limits, counters, the request readers and the list of
// live connections (walked on graceful shutdown).
struct HttpServerContext {
  Router router;
  HttpLimits limits;
  HttpCounters counters;
  RequestReaderPool readers;
  HttpConnection* first = nullptr;
};

class HttpConnection final : public StreamHandler {
 public:
  explicit HttpConnection(HttpServerContext& context);
  ~HttpConnection() override;
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // Called once the handler is installed: starts reading and the header timeout.
  void start();

  // Answers the current request; `close` and keep-alive headers follow the request's semantics. If a session
  // was deferred it is destroyed here, so a session calling this must return right after.
  void respond(ResponseSpec spec);
  // Short text/plain answer, for errors: "<reason>\n".
  void respond_text(int status, std::string_view text, std::string_view extra_headers = {});
  // The current request is answered later (long poll) or streams forever (SSE); pipelined requests wait.
  HttpSession& defer(std::unique_ptr<HttpSession> session);
  // The connection stops being HTTP: `head` (the 101 response) is sent and every later byte goes to
  // `session`.
  HttpSession& upgrade(std::unique_ptr<HttpSession> session, SharedBuffer head);

  // What a session may do with the stream under it; sessions never reach the stream itself.
  WriteResult write(SharedBuffer bytes);
  std::size_t queued_bytes() const { return stream->queued_bytes(); }
  const StreamLimits& stream_limits() const { return stream->limits(); }
  // Closes at once, queued bytes discarded.
  void close();
  // Sends what is queued, then closes (bounded by the stream's linger time).
  void close_after_writes();
  bool closing() const { return stream->closing(); }
  // Flow control for upgraded protocols that must not read faster than their peer drains (/echo).
  void pause_input() { stream->stop_reading(); }
  void resume_input();
  Loop& loop() { return stream->loop(); }
  // A deferred or upgraded request's session borrows the connection's timer, which the connection needs only
  // while it reads requests: a parked poll or a stream carries no wheel entry of its own. It ends with the
  // session (an answer, an upgrade's end, the close).
  void schedule_session_timer(std::uint64_t ms);
  void cancel_session_timer();
  bool upgraded() const { return upgraded_; }
  // Stop taking new requests (graceful shutdown): idle connections close now, busy ones after their answer.
  void begin_shutdown();
  // A connection past the server's cap: its first request is read only to refuse it the right way (503 with
  // Retry-After, or a bare close for an EventSource stream), then the connection closes.
  void refuse_as_busy() { refusing_ = true; }
  HttpConnection* next() const { return next_; }

  // StreamHandler
  void on_stream_data(char* data, std::size_t len) override;
  void on_stream_eof() override;
  void on_stream_drained() override;
  void on_stream_closed() override;

  // llhttp callbacks (public only for the C trampolines).
  int on_message_begin();
  int on_url(const char* at, std::size_t len);
  int on_header_field(const char* at, std::size_t len);
  int on_header_value(const char* at, std::size_t len);
  int on_headers_complete();
  int on_body(const char* at, std::size_t len);
  int on_message_complete();

 private:
  enum class State : std::uint8_t { kIdle, kReadingRequest, kDispatching, kDeferred, kUpgraded, kClosing };

  void parse(char* data, std::size_t len);
  void parse_requests(char* data, std::size_t len);
  void route();
  void fail(int status);
  void after_response();
  void process_buffered_input();
  void arm_timer(std::uint32_t ms);
  bool lends_to_session() const;
  void post_resume();
  // The reader is borrowed from the context's pool while a request is read and dispatched.
  RequestReader& reader();
  void return_reader();
  bool has_buffered_input() const { return buffered_input_ && !buffered_input_->empty(); }
  void buffer_input(const char* data, std::size_t len);
  static void on_timer(TimerEntry& entry);
  static void on_resume_task(LoopTask& task);

  HttpServerContext& context_;
  HttpConnection* prev_ = nullptr;  // registry links in context_
  HttpConnection* next_ = nullptr;
  std::unique_ptr<RequestReader> reader_;
  std::unique_ptr<HttpSession> session_;
  std::unique_ptr<std::string> buffered_input_;  // bytes that arrived while a request was deferred
  TimerEntry timer_;
  // Resumes pipelined input outside the stack that answered (rare: made on first use).
  std::unique_ptr<LoopTask> resume_task_;
  // What answering the current request needs once its reader is returned (a parked poll answers later).
  HttpMethod method_ = HttpMethod::kOther;
  bool keep_alive_ = true;
  bool http10_ = false;
  std::uint16_t error_status_ = 0;
  State state_ = State::kIdle;
  bool responded_ = false;
  bool upgraded_ = false;
  bool shutting_down_ = false;
  bool refusing_ = false;
  bool waiting_for_drain_ = false;  // pipelined requests wait for the answers queued before them to drain
  bool parsing_ = false;
  bool header_timer_armed_ = false;  // for the request being read
  bool keep_alive_due_ = false;  // an answer inside parse(): the keep-alive timer, unless a request follows
};

}  // namespace rtb
