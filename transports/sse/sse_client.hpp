// SseClient: an SSE subscriber for the load generator: one streaming GET /sse, read with the shared parser,
// reconnecting after the server's `retry` and resuming with Last-Event-ID, as a browser's EventSource does.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "transports/common/client_session.hpp"
#include "transports/http/http_response_parser.hpp"
#include "transports/net/client_connection.hpp"
#include "transports/net/loop.hpp"
#include "transports/net/timer_wheel.hpp"
#include "transports/common/sse_parser.hpp"

namespace rtb {

class SseClient final : public ClientSession,
                        public ClientConnectionOwner,
                        public HttpResponseEvents,
                        public SseParserEvents {
 public:
  SseClient(Loop& loop, ClientOptions options, ClientEvents& events);
  ~SseClient() override;

  void start() override;
  void stop() override;
  bool closed() const override { return stopped_ && !connection_.is_open(); }
  const ClientWireCounters& counters() const override { return counters_; }
  std::uint64_t last_id() const override { return last_id_; }
  // The Last-Event-ID the next connection sends (empty: none, the stream starts at the live edge).
  const std::string& resume_id() const { return sse_.last_event_id(); }
  // The server gave a status or content type that ends an event source for good (WHATWG "fail the
  // connection"); the client does not reconnect until start() is called again.
  bool rejected() const { return rejected_; }

 private:
  enum class TimerRole : std::uint8_t { kNone, kReconnect, kDeadline };

  void connect();
  void send_request();
  // The stream is over (server end, error, deadline): close and come back after the retry delay.
  void end_stream();
  void reconnect_later();
  void fail(ClientErrorKind kind, std::string_view detail);
  static void on_timer(TimerEntry& entry);

  void on_link_connected(int status) override;
  void on_link_data(char* data, std::size_t len) override;
  void on_link_eof() override;
  void on_link_closed() override;
  void on_response_head(const HttpResponseHead& head) override;
  void on_response_body(std::string_view bytes) override;
  void on_response_complete(const HttpResponseHead& head) override;
  void on_sse_event(const SseEvent& ev) override;
  void on_sse_retry(std::uint64_t ms) override;

  Loop& loop_;
  ClientOptions options_;
  ClientEvents& events_;
  ClientWireCounters counters_;
  SseParser sse_{*this};  // one parser for the whole session: it carries the last event id across streams
  ClientConnection connection_;
  std::unique_ptr<HttpResponseParser> parser_;
  TimerEntry timer_;  // one entry: the reconnect delay, or the deadline for the response head
  TimerRole timer_role_ = TimerRole::kNone;
  std::uint64_t last_id_ = 0;
  std::optional<std::uint64_t> retry_ms_;  // the server's `retry:`, once it sent one
  std::uint64_t body_bytes_ = 0;           // every response body byte read, all connections
  bool connected_ = false;                 // this connection's connect succeeded
  bool streaming_ = false;                 // a 200 text/event-stream head arrived on this connection
  bool stream_over_ = false;               // the response ended (the server closed, or a finite body)
  bool eof_seen_ = false;                  // the server closed cleanly (FIN), as opposed to a reset
  bool rejected_ = false;
  bool stopped_ = true;
};

}  // namespace rtb
