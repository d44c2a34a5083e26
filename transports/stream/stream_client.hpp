// StreamClient: an HTTP-streaming subscriber for the load generator, reading /stream as fetch() and a stream
// reader would: one GET whose chunked body never ends, de-chunked by the shared HTTP response parser, its
// records read by the shared EventRecordReader; after a drop or a clean end it reconnects with
// since=<last id>. The connection, its deadlines and the retry pause are the shared ClientLink's.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "transports/common/client_link.hpp"
#include "transports/common/client_session.hpp"
#include "transports/common/event_record_reader.hpp"
#include "transports/http/http_response_parser.hpp"
#include "transports/net/loop.hpp"

namespace rtb {

class StreamClient final : public ClientSession, private ClientLinkOwner, public HttpResponseEvents {
 public:
  StreamClient(Loop& loop, ClientOptions options, ClientEvents& events);

  void start() override;
  void stop() override;
  bool closed() const override { return link_.closed(); }
  const ClientWireCounters& counters() const override { return counters_; }
  std::uint64_t last_id() const override { return records_.last_id(); }
  // A response head with status 200 and a text/event-stream body arrived on the current connection.
  bool streaming() const { return streaming_; }

 private:
  void connect();
  void send_request();
  // The stream is over (clean end, error, deadline): close and come back after the reconnect delay.
  void end_stream();
  void update_framing();

  void on_link_up() override;
  void on_link_data(char* data, std::size_t len) override;
  void on_link_eof() override;
  void on_link_down() override;
  void on_link_deadline() override;
  void on_link_retry() override { connect(); }
  std::uint64_t link_retry_delay_ms() override { return options_.reconnect_delay_ms; }
  void on_link_failure(ClientErrorKind kind, std::string_view detail) override {
    events_.on_error(kind, detail);
  }
  void on_response_head(const HttpResponseHead& head) override;
  void on_response_body(std::string_view bytes) override;
  void on_response_complete(const HttpResponseHead& head) override;

  ClientOptions options_;
  ClientEvents& events_;
  ClientWireCounters counters_;
  ClientLink link_;  // its deadline is the response head's; a stream's body may be silent for any time
  // One reader for the session: it holds the last id across connections.
  EventRecordReader records_;
  std::unique_ptr<HttpResponseParser> parser_;  // one per connection
  std::uint64_t body_bytes_ = 0;                // de-chunked body bytes, every connection
  std::uint64_t chunk_framing_ = 0;             // chunk-size lines, chunk CRLFs, the last chunk and trailers
  bool head_seen_ = false;                      // this connection's response head arrived
  bool streaming_ = false;                      // ... and it was 200 text/event-stream
  bool stream_over_ = false;  // the body ended cleanly (the last chunk, or a close-delimited end)
  bool refused_ = false;      // ... or the head was anything else (reported in on_response_head)
};

}  // namespace rtb
