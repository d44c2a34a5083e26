// PollClient: a short-polling subscriber for the load generator: GET /poll every interval, resuming by id.
#pragma once

#include <string>

#include "transports/common/batch_reader.hpp"
#include "transports/common/client_session.hpp"
#include "transports/http/http_response_parser.hpp"
#include "transports/net/client_connection.hpp"
#include "transports/net/loop.hpp"
#include "transports/net/timer_wheel.hpp"

namespace rtb {

class PollClient final : public ClientSession, public ClientConnectionOwner, public HttpResponseEvents {
 public:
  PollClient(Loop& loop, ClientOptions options, ClientEvents& events, std::uint32_t first_poll_delay_ms);
  ~PollClient() override;

  void start() override;
  void stop() override;
  bool closed() const override { return stopped_ && !connection_.is_open(); }
  const ClientWireCounters& counters() const override { return counters_; }
  std::uint64_t last_id() const override { return batch_.last_id(); }

 private:
  void poll_now();
  void send_request();
  void schedule_next();
  void fail(ClientErrorKind kind, std::string_view detail);
  static void on_timer(TimerEntry& entry);

  void on_link_connected(int status) override;
  void on_link_data(char* data, std::size_t len) override;
  void on_link_closed() override;
  void on_response_head(const HttpResponseHead& head) override;
  void on_response_body(std::string_view bytes) override;
  void on_response_complete(const HttpResponseHead& head) override;

  Loop& loop_;
  ClientOptions options_;
  ClientEvents& events_;
  ClientWireCounters counters_;
  BatchReader batch_;
  ClientConnection connection_;
  std::unique_ptr<HttpResponseParser> parser_;
  TimerEntry timer_;
  std::uint64_t request_started_ms_ = 0;
  std::uint64_t payload_before_ = 0;
  std::uint32_t first_delay_ms_;
  int last_status_ = 0;
  bool in_flight_ = false;
  bool stopped_ = false;
};

}  // namespace rtb
