#include "transports/stream/stream_transport.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <string>

#include "transports/common/batch_response.hpp"
#include "transports/common/encoding_slot.hpp"
#include "transports/common/sse_encoder.hpp"
#include "transports/common/subscribe_query.hpp"
#include "transports/http/http_connection.hpp"
#include "transports/http/response_writer.hpp"
#include "transports/net/loop.hpp"
#include "transports/net/timer_wheel.hpp"
#include "transports/stream/chunk_framing.hpp"

namespace rtb {

namespace {

// The content type is the /poll batch's (kPollContentType): the body is the same records. It is also the
// type intermediaries already treat as a stream (CDNs and load balancers pass text/event-stream through
// unbuffered and uncompressed, where application/octet-stream may be held for scanning); nginx needs
// X-Accel-Buffering: no as well, and nosniff stops a browser second-guessing the type.
constexpr std::string_view kChunkedHeaders =
    "Transfer-Encoding: chunked\r\nCache-Control: no-store\r\nX-Accel-Buffering: no\r\n"
    "X-Content-Type-Options: nosniff\r\n";
// RFC 9112 6.1: no Transfer-Encoding for an HTTP/1.0 request; its body is delimited by the close instead.
constexpr std::string_view kHttp10Headers =
    "Cache-Control: no-store\r\nX-Accel-Buffering: no\r\nX-Content-Type-Options: nosniff\r\n";

const SharedBuffer& encoded_chunk(const Event& event) {
  static const EncodingSlot slot = register_encoding("text/event-stream record as one HTTP chunk");
  return event.encoded_as(slot, [](const Event& e) { return chunk_of_event(e.id, e.text()); });
}

bool accepts_chunked(const HttpRequest& request) {
  return request.http_major() > 1 || (request.http_major() == 1 && request.http_minor() >= 1);
}

}  // namespace

// One open stream. `cursor_` is the next id it owes the client: while it is behind the channel's newest id
// the stream replays from history at the pace the socket drains, and ignores live fan-out (those events are
// in history and the cursor will reach them); once level, live events are written as they are published.
class StreamSession final : public HttpSession, public HubSubscriber {
 public:
  StreamSession(StreamTransport& transport, HttpConnection& connection, bool chunked)
      : transport_(&transport),
        connection_(connection),
        heartbeat_(&StreamSession::on_heartbeat, this),
        chunked_(chunked) {
    transport.link(*this);
  }

  ~StreamSession() override {
    if (transport_ != nullptr) transport_->unlink(*this);
  }

  void start(Channel* channel, const SubscribeQuery& query) {
    ResponseSpec spec;
    spec.status = 200;
    spec.content_type = kPollContentType;
    spec.extra_headers = chunked_ ? kChunkedHeaders : kHttp10Headers;
    spec.no_content_length = true;  // the body is the stream
    // The server ends a stream only by closing after it: no client should put this connection back in a pool.
    spec.close = true;
    if (channel == nullptr || transport_->shutting_down_) {
      // No stream can be served now (channel cap, shutdown): an empty body, ended cleanly, which a client
      // takes as "come back after the reconnect delay", as SSE's answer does for an EventSource.
      if (send(ResponseWriter::build(spec))) end();
      return;
    }
    channel_ = channel;
    std::uint64_t last = channel->last_id();
    std::string position;
    if (query.has_since) {
      cursor_ = std::min(query.since, last) + 1;
    } else {
      // A fresh stream starts at the live edge and says where that is (an id-only record, which dispatches
      // nothing), so a client that breaks before the first event still knows which since= to resume from.
      cursor_ = last + 1;
      position = fmt::format("id: {}\n\n", last);
    }
    if (!send(ResponseWriter::build(spec))) return;
    if (!position.empty() && !send(frame(position))) return;
    channel->subscribe(*this);
    pump();
    arm_heartbeat();
  }

  // Graceful end: nothing more is produced, the last chunk follows what is queued, and the connection closes
  // once that is sent.
  void end() {
    if (ended_) return;
    ended_ = true;
    stop();
    if (connection_.closing()) return;  // dropped, or the peer left: there is nobody to end the body for
    if (chunked_ && transport_ != nullptr &&
        connection_.write(transport_->last_chunk_) == WriteResult::kDropped) {
      connection_.close();  // the queue is full: a cut body, which the client also resumes from
      return;
    }
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

  StreamSession* prev = nullptr;  // StreamTransport's list of open streams
  StreamSession* next = nullptr;

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
        if (!send(frame(gap))) return;
        continue;
      }
      const Event& event = history.at(cursor_);
      if (!send(encoded(event))) return;
      ++cursor_;
      count_event();
    }
  }

  // A chunked stream shares one chunk per event with every other stream; an HTTP/1.0 peer (rare: no rtbench
  // client is one) gets the bare record, encoded for it alone rather than spending a shared encoding slot.
  SharedBuffer encoded(const Event& event) const {
    return chunked_ ? encoded_chunk(event) : sse_encode_event_buffer(event.id, event.text());
  }

  SharedBuffer frame(std::string_view record) const {
    return chunked_ ? chunk_of(record) : SharedBuffer::copy_of(record);
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
    // The queue hit its hard bound: this client cannot keep up, and the server will not buffer for it. The
    // body is cut without its last chunk, which tells the client the stream did not end cleanly.
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
    auto& self = *static_cast<StreamSession*>(entry.context);
    if (self.transport_ == nullptr) return;
    // Only silence needs a heartbeat; a stream that carried anything since the last tick is alive already.
    const SharedBuffer& beat =
        self.chunked_ ? self.transport_->heartbeat_chunk_ : self.transport_->heartbeat_plain_;
    if (!self.active_ && !self.send(beat, false)) return;
    self.active_ = false;
    self.arm_heartbeat();
  }

  StreamTransport* transport_;
  HttpConnection& connection_;
  Channel* channel_ = nullptr;
  std::uint64_t cursor_ = 0;
  TimerEntry heartbeat_;
  bool chunked_;
  bool backpressured_ = false;
  bool active_ = false;
  bool stopped_ = false;
  bool ended_ = false;
};

StreamTransport::StreamTransport(Hub& hub, StreamConfig config)
    : hub_(hub),
      config_(config),
      heartbeat_chunk_(chunk_of(kSseHeartbeat)),
      heartbeat_plain_(SharedBuffer::copy_of(kSseHeartbeat)),
      last_chunk_(SharedBuffer::copy_of(kLastChunk)) {}

StreamTransport::~StreamTransport() {
  for (StreamSession* s = first_; s != nullptr; s = s->next) s->detach();
}

void StreamTransport::add_routes(Router& router) {
  // GET only, as /sse and /longpoll: a HEAD of an endless body has nothing useful to say (405, Allow: GET).
  // At the connection cap the refusal is a 503 with Retry-After: unlike an EventSource, a fetch() reader
  // sees the status and can honour it.
  router.add("/stream", {HttpMethod::kGet},
             [this](HttpConnection& c, const HttpRequest& r) { handle(c, r); });
}

void StreamTransport::handle(HttpConnection& connection, const HttpRequest& request) {
  ++stats_.requests;
  // since= is the resume point; Last-Event-ID is taken too, so an EventSource pointed here also resumes.
  SubscribeQuery query = parse_subscribe_query(request, true);
  if (!query.error.empty()) {
    connection.respond_text(400, query.error);
    return;
  }
  Channel* channel = hub_.channel(query.channel);
  auto& session = static_cast<StreamSession&>(
      connection.defer(std::make_unique<StreamSession>(*this, connection, accepts_chunked(request))));
  session.start(channel, query);
}

void StreamTransport::link(StreamSession& session) {
  session.next = first_;
  if (first_ != nullptr) first_->prev = &session;
  first_ = &session;
  ++stats_.sessions_open;
  ++stats_.sessions_total;
}

void StreamTransport::unlink(StreamSession& session) {
  if (session.prev != nullptr) {
    session.prev->next = session.next;
  } else {
    first_ = session.next;
  }
  if (session.next != nullptr) session.next->prev = session.prev;
  session.prev = session.next = nullptr;
  --stats_.sessions_open;
}

void StreamTransport::shutdown() {
  shutting_down_ = true;
  for (StreamSession* s = first_; s != nullptr; s = s->next) s->end();
}

}  // namespace rtb
