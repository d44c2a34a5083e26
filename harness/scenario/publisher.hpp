// Publisher: the open-loop event source of a load run: events at a constant rate, each stamped with its
// INTENDED send time, sent over one pipelined connection (HTTP POST or WebSocket) without ever waiting.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "harness/scenario/load_config.hpp"
#include "harness/scenario/publish_link.hpp"
#include "transports/common/client_session.hpp"
#include "transports/net/loop.hpp"
#include "transports/net/uv_handle.hpp"

namespace rtb {

struct PublisherOptions {
  PublishVia via = PublishVia::kHttp;  // resolved: kHttp or kWebSocket
  ClientOptions target;                // server, Host, path prefix and channel
  std::size_t payload_bytes = 64;
  double rate = 100;                   // events per second; 0 publishes nothing after the marker
  std::uint64_t max_in_flight = 1000;  // unanswered publishes; a slot that finds this many is dropped
  std::uint64_t late_ns = 2'000'000;   // a send this much after its slot counts as late
};

struct PublisherStats {
  std::uint64_t scheduled = 0;  // slots that came due: sent + dropped
  std::uint64_t sent = 0;
  std::uint64_t late = 0;     // sent more than late_ns after the slot (k6's "late"; the stamp keeps the slot)
  std::uint64_t dropped = 0;  // never sent: too many in flight, the connection down, or its queue full
  std::uint64_t acked = 0;    // the server assigned an id
  std::uint64_t errors = 0;   // refused, or never answered because the connection was lost
  std::uint64_t max_lateness_ns = 0;
  std::uint64_t reconnects = 0;
  std::uint64_t measured_dropped = 0;  // dropped slots that lay in the measure window
  std::string first_drop;              // why the first slot was dropped
  // Events whose slot lies in the measure window, and the id range the server gave them.
  std::uint64_t measured_sent = 0;
  std::uint64_t measured_acked = 0;
  std::uint64_t first_measured_id = 0;  // 0 until one is acked
  std::uint64_t last_measured_id = 0;
  std::uint64_t last_id = 0;  // the highest id any publish got back (the marker's included)
  std::string first_error;
};

// How long after the load starts the first slot comes: half a period, at most 500 ms. The measure window's
// edges lie whole seconds after the load starts; this puts them between two publishes instead of on one, so
// the per-socket counters read at an edge never split one event's fan-out between the window and outside it
// (at 1 event/s over 5 s, one split fan-out moved TCP segments per event by up to a fifth).
std::uint64_t first_slot_delay_ns(double rate);

class Publisher final : public PublishLinkEvents {
 public:
  // ok, the marker's id (the channel's newest id as the run starts), and why not when !ok.
  using MarkerDone = std::function<void(bool ok, std::uint64_t id, const std::string& error)>;

  Publisher(Loop& loop, PublisherOptions options);
  ~Publisher() override;
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  // Connects and publishes one marker event (seq 0). Its id tells subscribers where the run starts, so events
  // a server still holds from earlier runs are never counted, and it proves the server takes publishes.
  void publish_marker(MarkerDone done);

  // Event seq (1, 2, ...) has the slot t0 + (seq - 1) / rate; every slot before `end_ns` is sent. Slots in
  // [measure_start_ns, end_ns) are the measured ones.
  void start(std::uint64_t t0_ns, std::uint64_t measure_start_ns, std::uint64_t end_ns);
  void stop();

  bool schedule_done() const { return next_seq_ > last_seq_; }
  std::size_t in_flight() const { return in_flight_.size(); }
  const PublisherStats& stats() const { return stats_; }
  std::uint64_t bytes_up() const { return link_->bytes_up(); }
  std::uint64_t bytes_down() const { return link_->bytes_down(); }
  std::uint64_t slot_ns(std::uint64_t seq) const;

 private:
  struct InFlight {
    std::uint64_t seq;
    bool measured;
  };

  void on_tick();
  void arm_timer(std::uint64_t now_ns);
  void send(std::uint64_t seq, std::uint64_t slot, std::uint64_t now_ns);
  bool send_text(std::uint64_t seq, std::uint64_t slot);
  void note_error(std::string_view why);
  void finish_marker(bool ok, std::uint64_t id, const std::string& why);
  // Removes seq from in_flight_ (and, answers being in order, every older entry, which is then lost);
  // false when seq was not in flight (an echo after a reconnect).
  bool settle(std::uint64_t seq, InFlight* out);

  void on_link_ready() override;
  void on_published(std::uint64_t seq, std::uint64_t id) override;
  void on_publish_failed(std::uint64_t seq, std::string_view why) override;
  void on_link_lost(std::string_view why) override;

  Loop& loop_;
  PublisherOptions options_;
  PublisherStats stats_;
  std::unique_ptr<PublishLink> link_;
  UvHandle<uv_timer_t> timer_;
  std::deque<InFlight> in_flight_;  // oldest first: both links answer in send order
  std::string text_;                // reused to build each event text
  MarkerDone marker_done_;
  bool marker_sent_ = false;
  bool was_open_ = false;  // the link was ready and has not been lost since
  std::uint64_t t0_ns_ = 0;
  std::uint64_t measure_start_ns_ = 0;
  double period_ns_ = 0;
  std::uint64_t next_seq_ = 1;
  std::uint64_t last_seq_ = 0;
  bool stopped_ = false;
};

}  // namespace rtb
