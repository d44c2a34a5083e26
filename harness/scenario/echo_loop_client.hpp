// EchoLoopClient: one WebSocket connection of `rtbench load --transport echo` that keeps `pipeline` stamped
// text messages in flight against any echo server, timing and checking each echo by what it carries.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "harness/metrics/counters.hpp"
#include "harness/scenario/round_trip_client.hpp"
#include "transports/net/loop.hpp"
#include "transports/net/shared_buffer.hpp"
#include "transports/websocket/ws_client_handshake.hpp"
#include "transports/websocket/ws_random.hpp"
#include "transports/websocket/ws_reader.hpp"

namespace rtb {

// Each message is `<seq> <send_ns> ` padded with 'x' to payload_bytes (the PayloadStamp format): seq counts
// per connection from 1, so loss, duplicates and reordering come from the echoes, and latency from the send
// time the echo brings back. Sequence numbers continue across reconnects: messages a dropped connection never
// echoed stay holes, i.e. lost.
class EchoLoopClient final : public RoundTripClient, public WsReaderEvents {
 public:
  EchoLoopClient(Loop& loop, const RoundTripTarget& target, RoundTripTally& tally);

  void begin() override;
  void stop() override;
  void check_timeout(std::uint64_t now_ns) override;
  std::uint32_t in_flight() const override { return in_flight_; }

 private:
  enum class Phase : std::uint8_t { kDown, kHandshake, kOpen };

  void connect() override;
  void on_upgraded(char* rest, std::size_t len);
  void fill(std::uint64_t now_ns);
  void send_message(std::uint64_t now_ns);
  // A frame buffer no write holds any more (use_count 1), or a new one: the pool grows to what the socket's
  // queue really holds and then stops allocating.
  SharedBuffer& free_frame();
  // Forgets this connection's WebSocket state (the link's connection is closed or gone).
  void forget_connection();
  void drop(ClientErrorKind kind, std::string_view detail);

  void on_link_up() override;
  void on_link_data(char* data, std::size_t len) override;
  void on_link_down() override;
  void on_ws_message(WsOpcode op, std::string_view payload) override;
  void on_ws_ping(std::string_view payload) override;
  void on_ws_pong(std::string_view payload) override { (void)payload; }
  void on_ws_close(std::uint16_t code, std::string_view reason) override;
  void on_ws_error(std::uint16_t close_code, std::string_view reason) override;

  WsClientHandshake handshake_;
  std::optional<WsReader> reader_;  // one per connection
  WsRandom random_;
  DeliveryCounter echoes_;  // every echo by seq, any phase
  std::vector<SharedBuffer> frames_;
  std::size_t next_frame_ = 0;
  std::uint64_t next_seq_ = 1;
  std::uint64_t progress_ns_ = 0;  // last send into an empty pipeline or last echo: the timeout's start
  std::uint64_t read_ns_ = 0;
  std::uint32_t in_flight_ = 0;
  Phase phase_ = Phase::kDown;
  bool sending_ = false;
  bool drop_after_read_ = false;
};

}  // namespace rtb
