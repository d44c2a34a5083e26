// PollClient: a short-polling subscriber for the load generator: GET /poll every interval, resuming by id.
#pragma once

#include <memory>
#include <string>

#include "transports/common/client_link.hpp"
#include "transports/common/client_session.hpp"
#include "transports/common/event_record_reader.hpp"
#include "transports/http/http_response_parser.hpp"
#include "transports/net/loop.hpp"

namespace rtb {

// The link's retry timer is the poll clock: each poll is due one interval after the last one started.
class PollClient final : public ClientSession, private ClientLinkOwner, public HttpResponseEvents {
 public:
  PollClient(Loop& loop, ClientOptions options, ClientEvents& events, std::uint32_t first_poll_delay_ms);

  void start() override;
  void stop() override { link_.stop(); }
  bool closed() const override { return link_.closed(); }
  const ClientWireCounters& counters() const override { return counters_; }
  std::uint64_t last_id() const override { return records_.last_id(); }

 private:
  void connect();
  void poll_now();
  void send_request();
  // The next poll: at once when this one took the whole interval, else on the clock.
  void schedule_next();

  void on_link_up() override;
  void on_link_data(char* data, std::size_t len) override;
  void on_link_down() override;
  void on_link_deadline() override;
  void on_link_retry() override { poll_now(); }
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
  ClientLink link_;
  EventRecordReader records_;
  std::unique_ptr<HttpResponseParser> parser_;  // one per connection
  std::uint64_t request_started_ms_ = 0;
  std::uint64_t payload_before_ = 0;
  std::uint32_t first_delay_ms_;
  int last_status_ = 0;
  bool in_flight_ = false;  // a poll is out (or goes out once the connection is up) and not answered yet
};

}  // namespace rtb
