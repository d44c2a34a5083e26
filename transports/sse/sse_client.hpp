// SseClient: an SSE subscriber for the load generator: one streaming GET /sse, read with the shared parser,
// reconnecting after the server's `retry` and resuming with Last-Event-ID, as a browser's EventSource does.
#pragma once

#include <memory>
#include <string>

#include "transports/common/client_link.hpp"
#include "transports/common/client_session.hpp"
#include "transports/common/event_record_reader.hpp"
#include "transports/http/http_response_parser.hpp"
#include "transports/net/loop.hpp"

namespace rtb {

class SseClient final : public ClientSession, private ClientLinkOwner, public HttpResponseEvents {
 public:
  SseClient(Loop& loop, ClientOptions options, ClientEvents& events);

  void start() override;
  void stop() override;
  bool closed() const override { return link_.closed(); }
  const ClientWireCounters& counters() const override { return counters_; }
  std::uint64_t last_id() const override { return records_.last_id(); }
  // The Last-Event-ID the next connection sends (empty: none, the stream starts at the live edge).
  const std::string& resume_id() const { return records_.resume_id(); }
  // The server gave a status or content type that ends an event source for good (WHATWG "fail the
  // connection"); the client does not reconnect until start() is called again.
  bool rejected() const { return rejected_; }

 private:
  void connect();
  void send_request();
  // The stream is over (server end, error, deadline): close and come back after the retry delay.
  void end_stream();

  void on_link_up() override;
  void on_link_data(char* data, std::size_t len) override;
  void on_link_eof() override;
  void on_link_down() override;
  void on_link_deadline() override;
  void on_link_retry() override { connect(); }
  std::uint64_t link_retry_delay_ms() override;
  void on_link_failure(ClientErrorKind kind, std::string_view detail) override {
    events_.on_error(kind, detail);
  }
  void on_response_head(const HttpResponseHead& head) override;
  void on_response_body(std::string_view bytes) override;
  void on_response_complete(const HttpResponseHead& head) override;

  ClientOptions options_;
  ClientEvents& events_;
  ClientWireCounters counters_;
  ClientLink link_;  // its deadline is the response head's
  // One reader for the whole session: it carries the last event id and the server's `retry` across streams.
  EventRecordReader records_;
  std::unique_ptr<HttpResponseParser> parser_;  // one per connection
  std::uint64_t body_bytes_ = 0;                // every response body byte read, all connections
  bool streaming_ = false;                      // a 200 text/event-stream head arrived on this connection
  bool stream_over_ = false;                    // the response ended (the server closed, or a finite body)
  bool eof_seen_ = false;                       // the server closed cleanly (FIN), as opposed to a reset
  bool rejected_ = false;
};

}  // namespace rtb
