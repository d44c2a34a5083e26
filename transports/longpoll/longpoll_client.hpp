// LongPollClient: a long-polling subscriber for the load generator: one keep-alive connection that re-polls
// at once with the last id it saw, and reconnects and resumes when the connection drops.
#pragma once

#include <memory>
#include <string>

#include "transports/common/client_link.hpp"
#include "transports/common/client_session.hpp"
#include "transports/common/event_record_reader.hpp"
#include "transports/http/http_response_parser.hpp"
#include "transports/net/loop.hpp"

namespace rtb {

class LongPollClient final : public ClientSession, private ClientLinkOwner, public HttpResponseEvents {
 public:
  LongPollClient(Loop& loop, ClientOptions options, ClientEvents& events);

  void start() override;
  void stop() override;
  bool closed() const override { return link_.closed(); }
  const ClientWireCounters& counters() const override { return counters_; }
  std::uint64_t last_id() const override { return records_.last_id(); }

 private:
  void connect();
  void send_request();
  // Body bytes of the current response that were not event text are framing; counted once per response.
  void account_body();

  void on_link_up() override;
  void on_link_data(char* data, std::size_t len) override;
  void on_link_eof() override { parser_->finish(); }  // a response delimited by the connection's end
  void on_link_down() override;
  void on_link_deadline() override;
  // After the reconnect delay: re-poll on the open connection, or connect again.
  void on_link_retry() override;
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
  ClientLink link_;  // its deadline is the answer's while a poll is out
  EventRecordReader records_;
  std::unique_ptr<HttpResponseParser> parser_;  // one per connection
  std::uint64_t payload_before_ = 0;
  int last_status_ = 0;
  bool in_flight_ = false;
  bool in_response_ = false;     // a response head arrived and its body is not accounted yet
  bool close_expected_ = false;  // the last answer said `Connection: close`
};

}  // namespace rtb
