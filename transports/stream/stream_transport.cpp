#include "transports/stream/stream_transport.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <string>

#include "transports/common/batch_response.hpp"
#include "transports/common/encoding_slot.hpp"
#include "transports/common/record_stream.hpp"
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

// One open stream; RecordStream paces the replay and writes live events once level. HTTP streaming frames
// each record as one chunk (bare for an HTTP/1.0 peer) and ends with the last chunk.
class StreamSession final : public RecordStream {
 public:
  StreamSession(StreamTransport& transport, HttpConnection& connection, bool chunked)
      : RecordStream(connection, transport.config_.heartbeat_ms), transport_(&transport), chunked_(chunked) {
    transport.sessions_.add(*this);
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
    const bool resumed = begin(*channel, query);
    if (!send(ResponseWriter::build(spec))) return;
    // A fresh stream starts at the live edge and says where that is (an id-only record, which dispatches
    // nothing), so a client that breaks before the first event still knows which since= to resume from.
    if (!resumed && !send(frame_record(fmt::format("id: {}\n\n", channel->last_id())))) return;
    open(*channel);
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

  void detach() { transport_ = nullptr; }

 private:
  // A chunked stream shares one chunk per event with every other stream; an HTTP/1.0 peer (rare: no rtbench
  // client is one) gets the bare record, encoded for it alone rather than spending a shared encoding slot.
  SharedBuffer frame_event(const Event& event) const override {
    return chunked_ ? encoded_chunk(event) : sse_encode_event_buffer(event.id, event.text());
  }
  SharedBuffer frame_record(std::string_view record) const override {
    return chunked_ ? chunk_of(record) : SharedBuffer::copy_of(record);
  }
  SharedBuffer heartbeat() const override {
    return chunked_ ? transport_->heartbeat_chunk_ : transport_->heartbeat_plain_;
  }

  StreamTransport* transport_;
  bool chunked_;
  bool ended_ = false;
};

StreamTransport::StreamTransport(Hub& hub, StreamConfig config)
    : hub_(hub),
      config_(config),
      heartbeat_chunk_(chunk_of(kSseHeartbeat)),
      heartbeat_plain_(SharedBuffer::copy_of(kSseHeartbeat)),
      last_chunk_(SharedBuffer::copy_of(kLastChunk)) {}

// Sessions belong to their connections; the registry tells any that outlive us not to reach back.
StreamTransport::~StreamTransport() = default;

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

void StreamTransport::shutdown() {
  shutting_down_ = true;
  sessions_.for_each([](StreamSession& s) { s.end(); });
}

}  // namespace rtb
