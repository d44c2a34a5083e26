#include "transports/server/publish_endpoint.hpp"

#include <fmt/format.h>

#include <memory>

#include "transports/common/subscribe_query.hpp"
#include "transports/common/utf8_validator.hpp"

namespace rtb {
namespace {

// The request while a remote broker has not confirmed yet: the connection is parked like a long poll. If the
// client leaves first, the connection destroys this session and the late confirmation finds no one to answer.
class PendingPublish final : public HttpSession {
 public:
  explicit PendingPublish(std::shared_ptr<HttpConnection*> target) : target_(std::move(target)) {}
  ~PendingPublish() override { *target_ = nullptr; }

 private:
  std::shared_ptr<HttpConnection*> target_;
};

void answer(HttpConnection& connection, const PublishOutcome& outcome) {
  if (!outcome.ok()) {
    connection.respond_text(503, outcome.error.empty() ? "the event could not be published" : outcome.error);
    return;
  }
  char digits[24];
  auto end = fmt::format_to(digits, "{}", outcome.id);
  ResponseSpec spec;
  spec.content_type = "text/plain";
  spec.body = std::string_view(digits, static_cast<std::size_t>(end - digits));
  connection.respond(spec);
}

}  // namespace

void handle_publish(Hub& hub, HttpConnection& connection, const HttpRequest& request) {
  SubscribeQuery query = parse_subscribe_query(request);
  if (!query.error.empty()) {
    connection.respond_text(400, query.error);
    return;
  }
  std::string_view body = request.body();
  if (body.empty()) {
    connection.respond_text(400, "empty message: the body is the event text");
    return;
  }
  if (!is_valid_utf8(body)) {
    connection.respond_text(400, "the body must be valid UTF-8 text");
    return;
  }
  auto target = std::make_shared<HttpConnection*>(&connection);
  bool answered = false;
  hub.publish(query.channel, body, [target, &answered](const PublishOutcome& outcome) {
    answered = true;
    if (HttpConnection* c = *target) answer(*c, outcome);
  });
  // `answered` is only read here, while this frame is alive: a later confirmation never touches it.
  if (!answered) connection.defer(std::make_unique<PendingPublish>(target));
}

}  // namespace rtb
