#include "transports/common/record_stream.hpp"

#include "transports/common/sse_encoder.hpp"

namespace rtb {

RecordStream::RecordStream(HttpConnection& connection, std::uint32_t heartbeat_ms)
    : connection_(connection), cursor_(this), heartbeat_ms_(heartbeat_ms) {}

RecordStream::~RecordStream() = default;

bool RecordStream::begin(Channel& channel, const SubscribeQuery& query) {
  if (query.has_since) {
    cursor_.start(channel, query.since, kReplayBatch);
    return true;
  }
  cursor_.start_live(channel);
  return false;
}

void RecordStream::open(Channel& channel) {
  channel.subscribe(*this);
  pump();
  arm_heartbeat();
}

void RecordStream::on_hub_event(const Event& event) {
  // Behind: the replay will reach this event. Level with the channel: written directly even above the high
  // watermark; a client that cannot keep up meets the queue's hard bound and is dropped.
  if (stopped_ || !cursor_.take_live(event)) return;
  if (!send(frame_event(event))) return;
  count_event();
}

void RecordStream::on_session_drained() {
  backpressured_ = false;
  pump();
}

void RecordStream::on_replay_ready() {
  pump();
}

// Replays from the cursor while the socket takes it.
void RecordStream::pump() {
  while (!stopped_ && !backpressured_) {
    switch (cursor_.next()) {
      case ReplayCursor::Step::kGap: {
        // The client fell further behind than history reaches: say what is lost and jump.
        std::string gap;
        sse_append_gap(gap, cursor_.gap_first(), cursor_.gap_last());
        cursor_.pass();
        if (!send(frame_record(gap))) return;
        break;
      }
      case ReplayCursor::Step::kEvent: {
        const Event& event = cursor_.event();
        cursor_.pass();
        if (!send(frame_event(event))) return;
        count_event();
        break;
      }
      case ReplayCursor::Step::kWait:
      case ReplayCursor::Step::kLive:
        return;
    }
  }
}

bool RecordStream::send(SharedBuffer bytes, bool activity) {
  if (stopped_) return false;
  WriteResult result = connection_.write(std::move(bytes));
  if (result == WriteResult::kDropped) {
    drop();
    return false;
  }
  if (result == WriteResult::kBackpressure) backpressured_ = true;
  if (activity) active_ = true;
  return true;
}

void RecordStream::drop() {
  bool already_closing = connection_.closing();
  stop();
  if (already_closing) return;  // the peer left or the server is ending it: not a slow consumer
  // The queue hit its hard bound: this client cannot keep up, and the server will not buffer for it. The
  // response is cut without its proper end, which tells the client the stream did not end cleanly.
  if (TransportStats* stats = registry_stats()) ++stats->dropped_slow;
  connection_.close();
}

void RecordStream::stop() {
  stopped_ = true;
  unsubscribe();
  connection_.cancel_session_timer();
}

void RecordStream::count_event() {
  if (TransportStats* stats = registry_stats()) ++stats->events_sent;
}

void RecordStream::arm_heartbeat() {
  if (stopped_ || !registered() || heartbeat_ms_ == 0) return;
  connection_.schedule_session_timer(heartbeat_ms_);
}

void RecordStream::on_session_timer() {
  if (!registered()) return;  // the transport (and its heartbeat buffer) is gone
  // Only silence needs a heartbeat; a stream that carried anything since the last tick is alive already.
  if (!active_ && !send(heartbeat(), false)) return;
  active_ = false;
  arm_heartbeat();
}

}  // namespace rtb
