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

// A parked poll. It holds no buffer: only its hub subscription, a wheel entry and a task, all embedded, so a
// parked client costs this object and nothing else. Whatever ends it (answer, timeout, the client leaving,
// shutdown) ends in the destructor, which the connection runs.
class LongPollSession final : public HttpSession, public HubSubscriber {
 public:
  LongPollSession(LongPollTransport& transport, HttpConnection& connection, Channel& channel,
                  std::uint64_t since, std::uint32_t timeout_ms)
      : transport_(&transport),
        connection_(connection),
        channel_(channel),
        since_(since),
        timer_(&LongPollSession::on_timeout, this),
        ready_(&LongPollSession::on_ready, this) {
    transport.link(*this);
    channel.subscribe(*this);
    connection.timers().schedule(timer_, timeout_ms);
  }

  ~LongPollSession() override {
    if (transport_ != nullptr) transport_->unlink(*this);
  }

  // The first new event wakes the poll; the answer goes out from a task so that every event published in this
  // loop turn joins the same response.
  void on_hub_event(const Event&) override {
    unsubscribe();
    connection_.timers().cancel(timer_);
    connection_.loop().post(ready_);
  }

  // Responds and is destroyed by it: callers return right after.
  void answer() {
    if (transport_ == nullptr) return;
    transport_->answer(connection_, &channel_, since_);
  }

  void detach() { transport_ = nullptr; }

  LongPollSession* prev = nullptr;  // LongPollTransport's list of parked polls
  LongPollSession* next = nullptr;

 private:
  static void on_timeout(TimerEntry& entry) { static_cast<LongPollSession*>(entry.context)->answer(); }
  static void on_ready(LoopTask& task) { static_cast<LongPollSession*>(task.context)->answer(); }

  LongPollTransport* transport_;
  HttpConnection& connection_;
  Channel& channel_;
  std::uint64_t since_;
  TimerEntry timer_;
  LoopTask ready_;
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

LongPollTransport::~LongPollTransport() {
  // Sessions belong to their connections; one that outlives us must not reach back.
  for (LongPollSession* s = first_; s != nullptr; s = s->next) s->detach();
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
  const Channel* existing = hub_.find(query.channel);
  if (shutting_down_ || (existing != nullptr && query.since < existing->last_id())) {
    answer(connection, existing, query.since);
    return;
  }
  // Parking subscribes, so the channel must exist from here on.
  Channel* channel = hub_.channel(query.channel);
  if (channel == nullptr) {
    connection.respond_text(503, "channel limit reached");
    return;
  }
  // A since beyond the newest id waits for the next event (as /poll treats it), so it parks at the newest id.
  std::uint64_t since = std::min(query.since, channel->last_id());
  connection.defer(std::make_unique<LongPollSession>(*this, connection, *channel, since, *timeout));
}

void LongPollTransport::answer(HttpConnection& connection, const Channel* channel, std::uint64_t since) {
  HistorySlice slice = channel != nullptr ? channel->since(since, max_batch_events_) : HistorySlice{};
  std::uint64_t sent = respond_with_batch(connection, channel, slice, scratch_);
  stats_.events_sent += sent;
  if (sent == 0) ++stats_.empty_responses;
}

void LongPollTransport::link(LongPollSession& session) {
  session.next = first_;
  if (first_ != nullptr) first_->prev = &session;
  first_ = &session;
  ++stats_.sessions_open;
  ++stats_.sessions_total;
}

void LongPollTransport::unlink(LongPollSession& session) {
  if (session.prev != nullptr) {
    session.prev->next = session.next;
  } else {
    first_ = session.next;
  }
  if (session.next != nullptr) session.next->prev = session.prev;
  session.prev = session.next = nullptr;
  --stats_.sessions_open;
}

void LongPollTransport::shutdown() {
  shutting_down_ = true;
  // An answer destroys its own session only; one whose connection is already closing stays until the close
  // callback, so the walk keeps its own cursor instead of waiting for the list to empty.
  for (LongPollSession* s = first_; s != nullptr;) {
    LongPollSession* next = s->next;
    s->answer();
    s = next;
  }
}

}  // namespace rtb
