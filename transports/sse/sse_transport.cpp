#include "transports/sse/sse_transport.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <string>

#include "transports/common/encoding_slot.hpp"
#include "transports/common/record_stream.hpp"
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

// One open stream; RecordStream paces the replay and writes live events once level. SSE frames each record
// bare, starts with a `retry:` field and ends by closing.
class SseStream final : public RecordStream {
 public:
  SseStream(SseTransport& transport, HttpConnection& connection)
      : RecordStream(connection, transport.config_.heartbeat_ms), transport_(&transport) {
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
    if (!begin(*channel, query)) {
      // A fresh stream starts at the live edge and says where that is (an id-only record dispatches nothing
      // but sets the client's last event id), so a reconnect resumes without loss even if the stream broke
      // before its first event.
      preface += fmt::format("id: {}\n\n", channel->last_id());
    }
    spec.body = preface;
    if (!send(ResponseWriter::build(spec))) return;
    open(*channel);
  }

  // Graceful end: nothing more is produced; the connection closes once its queue is sent.
  void end() {
    stop();
    connection_.close_after_writes();
  }

  void detach() { transport_ = nullptr; }

 private:
  SharedBuffer frame_event(const Event& event) const override { return encoded(event); }
  SharedBuffer frame_record(std::string_view record) const override { return SharedBuffer::copy_of(record); }
  SharedBuffer heartbeat() const override { return transport_->heartbeat_; }

  SseTransport* transport_;
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
