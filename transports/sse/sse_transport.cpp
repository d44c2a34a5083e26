#include "transports/sse/sse_transport.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <string>

#include "transports/common/encoding_slot.hpp"
#include "transports/common/replay_cursor.hpp"
#include "transports/common/sse_encoder.hpp"
#include "transports/common/subscribe_query.hpp"
#include "transports/http/http_connection.hpp"
#include "transports/http/response_writer.hpp"
#include "transports/net/loop.hpp"
#include "transports/net/timer_wheel.hpp"

namespace rtb {

namespace {

constexpr std::string_view kStreamHeaders = "Cache-Control: no-store\r\nX-Accel-Buffering: no\r\n";

const SharedBuffer& encoded(const Event& event) {
  static const EncodingSlot slot = register_encoding("text/event-stream record");
  return event.encoded_as(slot, [](const Event& e) { return sse_encode_event_buffer(e.id, e.text()); });
}

}  // namespace

// One open stream. Its replay cursor owns the order: while behind the channel's newest id the stream replays
// (from the window, or the broker's history beyond it) at the pace the socket drains, and ignores live
// fan-out (those events are in the window and the cursor will reach them); once level, live events are
// written as they are published.
class SseStream final : public HttpSession, public HubSubscriber, public ReplayListener, public SessionLink {
 public:
  SseStream(SseTransport& transport, HttpConnection& connection)
      : transport_(&transport),
        connection_(connection),
        cursor_(this),
        heartbeat_(&SseStream::on_heartbeat, this) {
    transport.streams_.add(*this);
  }

  void start(Channel* channel, const SubscribeQuery& query) {
    ResponseSpec spec;
    spec.status = 200;
    spec.content_type = "text/event-stream";
    spec.extra_headers = kStreamHeaders;
    spec.no_content_length = true;  // the body is the stream; it ends when the connection does
    std::string preface;
    sse_append_retry(preface, transport_->config_.retry_ms);
    if (channel == nullptr || transport_->shutting_down_) {
      // No stream can be served now (channel cap, shutdown). Still a 200: any other status stops a browser
      // from reconnecting, while this one makes it come back after `retry`.
      spec.body = preface;
      connection_.write(ResponseWriter::build(spec));
      end();
      return;
    }
    Hub& hub = transport_->hub_;
    if (query.has_since) {
      cursor_.start(hub, *channel, query.since, kReplayBatch, connection_.timers());
    } else {
      // A fresh stream starts at the live edge and says where that is (an id-only record dispatches nothing
      // but sets the client's last event id), so a reconnect resumes without loss even if the stream broke
      // before its first event.
      cursor_.start_live(hub, *channel, connection_.timers());
      preface += fmt::format("id: {}\n\n", channel->last_id());
    }
    spec.body = preface;
    if (!send(ResponseWriter::build(spec))) return;
    channel->subscribe(*this);
    pump();
    arm_heartbeat();
  }

  // Graceful end: nothing more is produced; the connection closes once its queue is sent.
  void end() {
    stop();
    connection_.close_after_writes();
  }

  void on_hub_event(const Event& event) override {
    // Behind: the replay will reach this event. Level with the channel: written directly even above the high
    // watermark; a client that cannot keep up meets the queue's hard bound and is dropped.
    if (stopped_ || !cursor_.take_live(event)) return;
    if (!send(encoded(event))) return;
    count_event();
  }

  void on_session_drained() override {
    backpressured_ = false;
    pump();
  }

  void on_replay_ready() override { pump(); }

  void detach() { transport_ = nullptr; }

 private:
  // Events asked of the broker at a time, when history beyond the window is replayed.
  static constexpr std::uint32_t kReplayBatch = 64;

  // Replays from the cursor while the socket takes it.
  void pump() {
    while (!stopped_ && !backpressured_) {
      switch (cursor_.next()) {
        case ReplayCursor::Step::kGap: {
          // The client fell further behind than history reaches: say what is lost and jump.
          std::string gap;
          sse_append_gap(gap, cursor_.gap_first(), cursor_.gap_last());
          cursor_.pass();
          if (!send(SharedBuffer::copy_of(gap))) return;
          break;
        }
        case ReplayCursor::Step::kEvent: {
          const Event& event = cursor_.event();
          cursor_.pass();
          if (!send(encoded(event))) return;
          count_event();
          break;
        }
        case ReplayCursor::Step::kWait:
        case ReplayCursor::Step::kLive:
          return;
      }
    }
  }

  // False when the stream is over (the write was refused).
  bool send(SharedBuffer bytes, bool activity = true) {
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

  void drop() {
    bool already_closing = connection_.closing();
    stop();
    if (already_closing) return;  // the peer left or the server is ending it: not a slow consumer
    // The queue hit its hard bound: this client cannot keep up, and the server will not buffer for it.
    if (transport_ != nullptr) ++transport_->stats_.dropped_slow;
    connection_.close();
  }

  void stop() {
    stopped_ = true;
    unsubscribe();
    connection_.timers().cancel(heartbeat_);
  }

  void count_event() {
    if (transport_ != nullptr) ++transport_->stats_.events_sent;
  }

  void arm_heartbeat() {
    if (stopped_ || transport_ == nullptr || transport_->config_.heartbeat_ms == 0) return;
    connection_.timers().schedule(heartbeat_, transport_->config_.heartbeat_ms);
  }

  static void on_heartbeat(TimerEntry& entry) {
    auto& self = *static_cast<SseStream*>(entry.context);
    if (self.transport_ == nullptr) return;
    // Only silence needs a heartbeat; a stream that carried anything since the last tick is alive already.
    if (!self.active_ && !self.send(self.transport_->heartbeat_, false)) return;
    self.active_ = false;
    self.arm_heartbeat();
  }

  SseTransport* transport_;
  HttpConnection& connection_;
  ReplayCursor cursor_;
  TimerEntry heartbeat_;
  bool backpressured_ = false;
  bool active_ = false;
  bool stopped_ = false;
};

SseTransport::SseTransport(Hub& hub, SseConfig config)
    : hub_(hub), config_(config), heartbeat_(SharedBuffer::copy_of(kSseHeartbeat)) {}

// Streams belong to their connections; the registry tells any that outlive us not to reach back.
SseTransport::~SseTransport() = default;

void SseTransport::add_routes(Router& router) {
  router.add(
      "/sse", {HttpMethod::kGet}, [this](HttpConnection& c, const HttpRequest& r) { handle(c, r); },
      RouteKind::kStream);
}

void SseTransport::handle(HttpConnection& connection, const HttpRequest& request) {
  ++stats_.requests;
  SubscribeQuery query = parse_subscribe_query(request, true);
  if (!query.error.empty()) {
    connection.respond_text(400, query.error);
    return;
  }
  Channel* channel = hub_.channel(query.channel);
  auto& stream = static_cast<SseStream&>(connection.defer(std::make_unique<SseStream>(*this, connection)));
  stream.start(channel, query);
}

void SseTransport::shutdown() {
  shutting_down_ = true;
  streams_.for_each([](SseStream& s) { s.end(); });
}

}  // namespace rtb
