// RecordStream: the server side of a long-lived response that carries one text/event-stream record per event
// (SSE's stream, HTTP streaming's chunked body). What such streams share lives here: the replay cursor paced
// by the socket, live events once level with the channel, the slow-consumer drop, and a heartbeat after
// silence. A transport supplies only how a record is framed on its wire, its response head and its end.
#pragma once

#include <cstdint>
#include <string_view>

#include "transports/common/replay_cursor.hpp"
#include "transports/common/session_registry.hpp"
#include "transports/common/subscribe_query.hpp"
#include "transports/common/transport.hpp"
#include "transports/http/http_connection.hpp"
#include "transports/net/shared_buffer.hpp"
#include "transports/pubsub/hub.hpp"

namespace rtb {

class RecordStream : public HttpSession, public HubSubscriber, public ReplayListener, public SessionLink {
 public:
  RecordStream(const RecordStream&) = delete;
  RecordStream& operator=(const RecordStream&) = delete;

  void on_hub_event(const Event& event) final;
  void on_session_drained() final;
  void on_replay_ready() final;
  void on_session_timer() final;  // the heartbeat

 protected:
  // `heartbeat_ms` 0 sends none. Counts (events_sent, dropped_slow) go to the registry the subclass adds the
  // stream to: its transport's, while there is one.
  RecordStream(HttpConnection& connection, std::uint32_t heartbeat_ms);
  ~RecordStream();

  // One event as this transport writes it: shared by every stream of the transport (encoded once).
  virtual SharedBuffer frame_event(const Event& event) const = 0;
  // A record this stream alone writes (a gap, the live-edge id).
  virtual SharedBuffer frame_record(std::string_view record) const = 0;
  // The comment record written after `heartbeat_ms` of silence.
  virtual SharedBuffer heartbeat() const = 0;

  // Sets the resume point: the query's `since`, or the channel's live edge when it has none (returned
  // false, so the transport can tell the client where the edge is).
  bool begin(Channel& channel, const SubscribeQuery& query);
  // After the response head: subscribes, replays what is owed, starts the heartbeat.
  void open(Channel& channel);
  // False when the stream is over (the write was refused and the stream dropped).
  bool send(SharedBuffer bytes, bool activity = true);
  // Nothing more is produced: unsubscribed, no heartbeat. The transport decides how the response ends.
  void stop();
  HttpConnection& connection_;

 private:
  // Events asked of the broker at a time, when history beyond the window is replayed.
  static constexpr std::uint32_t kReplayBatch = 64;

  void pump();
  void drop();
  void count_event();
  void arm_heartbeat();

  ReplayCursor cursor_;
  std::uint32_t heartbeat_ms_;  // beside the flags: one session object per idle stream, no padding hole
  bool backpressured_ = false;
  bool active_ = false;
  bool stopped_ = false;
};

}  // namespace rtb
