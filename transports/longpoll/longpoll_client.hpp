// LongPollClient: a long-polling subscriber for the load generator: one keep-alive connection that re-polls
// at once with the last id it saw, and reconnects and resumes when the connection drops.
#pragma once

#include <memory>
#include <string>

#include "transports/common/batch_reader.hpp"
#include "transports/common/client_session.hpp"
#include "transports/http/http_response_parser.hpp"
#include "transports/net/client_connection.hpp"
#include "transports/net/loop.hpp"
#include "transports/net/timer_wheel.hpp"

namespace rtb {

class LongPollClient final : public ClientSession, public ClientConnectionOwner, public HttpResponseEvents {
 public:
  LongPollClient(Loop& loop, ClientOptions options, ClientEvents& events);
  ~LongPollClient() override;

  void start() override;
  void stop() override;
  bool closed() const override { return stopped_ && !connection_.is_open(); }
  const ClientWireCounters& counters() const override { return counters_; }
  std::uint64_t last_id() const override { return batch_.last_id(); }

 private:
  enum class TimerRole : std::uint8_t { kNone, kRetry, kDeadline };

  void connect();
  void send_request();
  // After the reconnect delay: re-poll on the open connection, or connect again.
  void retry_later();
  // Body bytes of the current response that were not event text are framing; counted once per response.
  void account_body();
  void fail(ClientErrorKind kind, std::string_view detail);
  static void on_timer(TimerEntry& entry);

  void on_link_connected(int status) override;
  void on_link_data(char* data, std::size_t len) override;
  void on_link_eof() override;
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
  TimerEntry timer_;  // one entry: the retry delay after a failure, or the answer deadline while polling
  TimerRole timer_role_ = TimerRole::kNone;
  std::uint64_t payload_before_ = 0;
  int last_status_ = 0;
  bool in_flight_ = false;
  bool in_response_ = false;     // a response head arrived and its body is not accounted yet
  bool close_expected_ = false;  // the last answer said `Connection: close`
  bool stopped_ = true;
};

}  // namespace rtb
