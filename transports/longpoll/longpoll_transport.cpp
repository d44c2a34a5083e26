#include "transports/longpoll/longpoll_transport.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <optional>

#include "transports/common/batch_response.hpp"
#include "transports/common/subscribe_query.hpp"
#include "transports/http/http_connection.hpp"
#include "transports/http/query_params.hpp"
#include "transports/net/loop.hpp"
#include "transports/net/timer_wheel.hpp"

namespace rtb {

// A parked poll. It holds no buffer, only its hub subscription; its timeout is the connection's timer, lent
// while it is parked, and its wake-up is its transport's, so a parked client costs this object and nothing
// else. Whatever ends
// it (answer, timeout, the client leaving, shutdown) ends in the destructor, which the connection runs.
class LongPollSession final : public HttpSession, public HubSubscriber, public SessionLink {
 public:
  LongPollSession(LongPollTransport& transport, HttpConnection& connection, Channel& channel,
                  std::uint64_t since, std::uint32_t timeout_ms)
      : transport_(&transport), connection_(connection), channel_(channel), since_(since) {
    transport.parked_.add(*this);
    channel.subscribe(*this);
    connection.schedule_session_timer(timeout_ms);
  }

  // The first new event wakes the poll; the answer goes out from a task so that every event published in this
  // loop turn joins the same response.
  void on_hub_event(const Event&) override {
    unsubscribe();
    connection_.cancel_session_timer();
    if (transport_ != nullptr) transport_->wake(*this, connection_.loop());
  }

  void on_session_timer() override { answer(); }

  // Responds and is destroyed by it: callers return right after.
  void answer() {
    if (transport_ == nullptr) return;
    transport_->answer(connection_, channel_, since_);
  }

  void detach() { transport_ = nullptr; }

 private:
  LongPollTransport* transport_;
  HttpConnection& connection_;
  Channel& channel_;
  std::uint64_t since_;
};

namespace {

// timeout= in milliseconds: absent -> the default, above the maximum -> the maximum, 0 or not a number ->
// error.
std::optional<std::uint32_t> parse_timeout(const HttpRequest& request, const LongPollConfig& config) {
  std::uint32_t max = std::max<std::uint32_t>(config.max_timeout_ms, 1);
  auto raw = QueryParams(request.query()).raw("timeout");
  if (!raw) return std::min(std::max<std::uint32_t>(config.default_timeout_ms, 1), max);
  auto value = parse_decimal_u64(*raw);
  if (!value || *value == 0) return std::nullopt;
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(*value, max));
}

}  // namespace

LongPollTransport::LongPollTransport(Hub& hub, LongPollConfig config, std::uint64_t max_batch_events)
    : hub_(hub), config_(config), max_batch_events_(max_batch_events == 0 ? 1 : max_batch_events) {}

// Sessions belong to their connections; the registries tell any that outlive us not to reach back.
LongPollTransport::~LongPollTransport() = default;

void LongPollTransport::wake(LongPollSession& session, Loop& loop) {
  parked_.transfer(session, woken_);
  loop.post(answer_woken_);
}

void LongPollTransport::on_answer_woken(LoopTask& task) {
  auto& self = *static_cast<LongPollTransport*>(task.context);
  // Taken off the list before its answer, which destroys it (or, on a connection already closing, leaves it
  // to the close).
  while (LongPollSession* session = self.woken_.front()) {
    self.woken_.transfer(*session, self.parked_);
    session->answer();
  }
}

void LongPollTransport::add_routes(Router& router) {
  router.add("/longpoll", {HttpMethod::kGet},
             [this](HttpConnection& c, const HttpRequest& r) { handle(c, r); });
}

void LongPollTransport::handle(HttpConnection& connection, const HttpRequest& request) {
  ++stats_.requests;
  SubscribeQuery query = parse_subscribe_query(request);
  if (!query.error.empty()) {
    connection.respond_text(400, query.error);
    return;
  }
  std::optional<std::uint32_t> timeout = parse_timeout(request, config_);
  if (!timeout) {
    connection.respond_text(
        400, fmt::format("timeout must be a whole number of milliseconds, 1 to {}", config_.max_timeout_ms));
    return;
  }
  if (shutting_down_) {
    // Answered at once with what is here: no channel is made and nothing parks.
    const Channel* existing = hub_.find(query.channel);
    ReplayCursor cursor;
    if (existing != nullptr) cursor.start(*existing, query.since, batch());
    reply(connection, nullptr, cursor, 0);
    return;
  }
  // Parking subscribes, so the channel must exist from here on.
  Channel* channel = hub_.channel(query.channel);
  if (channel == nullptr) {
    connection.respond_text(503, "channel limit reached");
    return;
  }
  ReplayCursor cursor;
  cursor.start(*channel, query.since, batch());
  reply(connection, channel, cursor, *timeout);
}

void LongPollTransport::answer(HttpConnection& connection, Channel& channel, std::uint64_t since) {
  ReplayCursor cursor;
  cursor.start(channel, since, batch());
  reply(connection, &channel, cursor, 0);
}

void LongPollTransport::reply(HttpConnection& connection, Channel* channel, ReplayCursor& cursor,
                              std::uint32_t park_ms) {
  switch (cursor.next()) {
    case ReplayCursor::Step::kWait:
      if (shutting_down_) {
        cursor.give_up();
        break;
      }
      waits_.wait(
          connection, std::move(cursor),
          [this, channel, park_ms](HttpConnection& c, ReplayCursor& r) { reply(c, channel, r, park_ms); });
      return;
    case ReplayCursor::Step::kLive:
      if (park_ms != 0 && channel != nullptr && !shutting_down_) {
        // Nothing after the resume point yet. A since beyond the newest id waits for the next event (as /poll
        // treats it): the cursor parks at the newest id.
        connection.defer(
            std::make_unique<LongPollSession>(*this, connection, *channel, cursor.position(), park_ms));
        return;
      }
      break;
    default:
      break;
  }
  std::uint64_t sent = respond_with_batch(connection, cursor, max_batch_events_, scratch_);
  stats_.events_sent += sent;
  if (sent == 0) ++stats_.empty_responses;
}

void LongPollTransport::shutdown() {
  shutting_down_ = true;
  // An answer destroys its own session only; one whose connection is already closing stays until the close
  // callback.
  on_answer_woken(answer_woken_);
  parked_.for_each([](LongPollSession& s) { s.answer(); });
  waits_.give_up_all();
}

}  // namespace rtb
