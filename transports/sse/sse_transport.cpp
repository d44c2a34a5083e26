#include "transports/sse/sse_transport.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <string>

#include "transports/http/http_connection.hpp"
#include "transports/http/response_writer.hpp"
#include "transports/net/loop.hpp"
#include "transports/net/timer_wheel.hpp"
#include "transports/common/subscribe_query.hpp"
#include "transports/common/sse_encoder.hpp"

namespace rtb {

namespace {

constexpr std::string_view kStreamHeaders = "Cache-Control: no-store\r\nX-Accel-Buffering: no\r\n";

const SharedBuffer& encoded(const Event& event) {
  return event.encoded_as(WireEncoding::kSseRecord,
                          [](const Event& e) { return sse_encode_event_buffer(e.id, e.text()); });
}

}  // namespace

// One open stream. `cursor_` is the next id it owes the client: while it is behind the channel's newest id
// the stream replays from history at the pace the socket drains, and ignores live fan-out (those events are
// in history and the cursor will reach them); once level, live events are written as they are published.
class SseStream final : public HttpSession, public HubSubscriber {
 public:
  SseStream(SseTransport& transport, HttpConnection& connection)
      : transport_(&transport), connection_(connection), heartbeat_(&SseStream::on_heartbeat, this) {
    transport.link(*this);
  }

  ~SseStream() override {
    if (transport_ != nullptr) transport_->unlink(*this);
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
    channel_ = channel;
    std::uint64_t last = channel->last_id();
    if (query.has_since) {
      cursor_ = std::min(query.since, last) + 1;
    } else {
      // A fresh stream starts at the live edge and says where that is (an id-only record dispatches nothing
      // but sets the client's last event id), so a reconnect resumes without loss even if the stream broke
      // before its first event.
      cursor_ = last + 1;
      preface += fmt::format("id: {}\n\n", last);
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
    // Behind: the replay will reach this event from history.
    if (event.id != cursor_) return;
    // Level with the channel: written directly even above the high watermark; a client that cannot keep up
    // meets the queue's hard bound and is dropped.
    if (!send(encoded(event))) return;
    ++cursor_;
    count_event();
  }

  void on_session_drained() override {
    backpressured_ = false;
    pump();
  }

  void detach() { transport_ = nullptr; }

  SseStream* prev = nullptr;  // SseTransport's list of open streams
  SseStream* next = nullptr;

 private:
  // Replays history from the cursor while the socket takes it.
  void pump() {
    while (!stopped_ && !backpressured_ && channel_ != nullptr && cursor_ <= channel_->last_id()) {
      const EventRing& history = channel_->history();
      if (cursor_ < history.first_id()) {
        // The client fell further behind than history reaches: say what is lost and jump.
        std::string gap;
        sse_append_gap(gap, cursor_, history.first_id() - 1);
        cursor_ = history.first_id();
        if (!send(SharedBuffer::copy_of(gap))) return;
        continue;
      }
      const Event& event = history.at(cursor_);
      if (!send(encoded(event))) return;
      ++cursor_;
      count_event();
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
  Channel* channel_ = nullptr;
  std::uint64_t cursor_ = 0;
  TimerEntry heartbeat_;
  bool backpressured_ = false;
  bool active_ = false;
  bool stopped_ = false;
};

SseTransport::SseTransport(Hub& hub, SseConfig config)
    : hub_(hub), config_(config), heartbeat_(SharedBuffer::copy_of(kSseHeartbeat)) {}

SseTransport::~SseTransport() {
  for (SseStream* s = first_; s != nullptr; s = s->next) s->detach();
}

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

void SseTransport::link(SseStream& stream) {
  stream.next = first_;
  if (first_ != nullptr) first_->prev = &stream;
  first_ = &stream;
  ++stats_.sessions_open;
  ++stats_.sessions_total;
}

void SseTransport::unlink(SseStream& stream) {
  if (stream.prev != nullptr) {
    stream.prev->next = stream.next;
  } else {
    first_ = stream.next;
  }
  if (stream.next != nullptr) stream.next->prev = stream.prev;
  stream.prev = stream.next = nullptr;
  --stats_.sessions_open;
}

void SseTransport::shutdown() {
  shutting_down_ = true;
  for (SseStream* s = first_; s != nullptr; s = s->next) s->end();
}

}  // namespace rtb
