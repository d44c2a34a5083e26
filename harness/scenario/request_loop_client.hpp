// RequestLoopClient: one keep-alive HTTP/1.1 connection of `rtbench load --transport http` that sends the
// same GET again as soon as an answer is complete (up to `pipeline` in flight), against any HTTP server; or,
// in the open loop (--request-rate), on a fixed schedule: a request is due every interval, shifted by the
// connection's index, and one that finds the pipeline full goes out once an answer makes room, its latency
// still counted from when it was due (no coordinated omission).
#pragma once

#include <cstdint>
#include <memory>

#include "harness/scenario/round_trip_client.hpp"
#include "harness/scenario/send_time_ring.hpp"
#include "transports/http/http_response_parser.hpp"
#include "transports/net/loop.hpp"
#include "transports/net/shared_buffer.hpp"
#include "transports/net/timer_wheel.hpp"

namespace rtb {

// Answers: any 1xx-4xx final status completes an operation (2xx/3xx/4xx are counted by class, 204 apart);
// 5xx and unparsable bytes are errors. A `Connection: close` answer is honoured by reconnecting at once;
// requests pipelined behind it were never answered and count as lost.
class RequestLoopClient final : public RoundTripClient, public HttpResponseEvents {
 public:
  // `request` is the complete request head, built once per run and shared by every connection's writes.
  // `index`: the connection's place in the run, which shifts its schedule in the open loop.
  RequestLoopClient(Loop& loop, const RoundTripTarget& target, SharedBuffer request, RoundTripTally& tally,
                    std::uint64_t index = 0);

  void begin() override;
  void stop() override;
  void check_timeout(std::uint64_t now_ns) override;
  std::uint32_t in_flight() const override { return in_flight_.size(); }

 private:
  void connect() override;
  void fill(std::uint64_t now_ns);
  bool open_loop() const { return target_.open_loop_interval_ns != 0; }
  // Open loop: sends the requests that are due, as far as the pipeline has room.
  void send_due();
  void arm_schedule(std::uint64_t now_ns);
  static void on_schedule(TimerEntry& entry);

  void on_link_up() override;
  void on_link_data(char* data, std::size_t len) override;
  void on_link_eof() override;
  void on_link_down() override;
  void on_response_head(const HttpResponseHead& head) override { (void)head; }
  void on_response_body(std::string_view bytes) override { (void)bytes; }
  void on_response_complete(const HttpResponseHead& head) override;

  Loop& loop_;
  SharedBuffer request_;
  std::uint64_t index_;
  TimerEntry schedule_timer_;
  std::uint64_t next_slot_ns_ = 0;  // open loop: the next scheduled request not yet due
  std::uint64_t next_unsent_ns_ =
      0;  // open loop: the oldest due request not yet sent (== next_slot_ns_: none)
  std::unique_ptr<HttpResponseParser> parser_;  // one per connection: a response stream starts fresh
  SendTimeRing in_flight_;
  std::uint64_t read_ns_ = 0;  // when the bytes being parsed arrived: every answer in them completed then
  bool sending_ = false;
  bool close_after_read_ = false;  // a `Connection: close` answer: reconnect once the read is parsed
};

}  // namespace rtb
