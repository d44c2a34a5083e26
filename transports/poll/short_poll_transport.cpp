#include "transports/poll/short_poll_transport.hpp"

#include <algorithm>
#include <cstdint>

#include "transports/common/batch_response.hpp"
#include "transports/common/subscribe_query.hpp"
#include "transports/http/http_connection.hpp"

namespace rtb {

void ShortPollTransport::add_routes(Router& router) {
  router.add("/poll", {HttpMethod::kGet, HttpMethod::kHead},
             [this](HttpConnection& c, const HttpRequest& r) { handle(c, r); });
}

void ShortPollTransport::handle(HttpConnection& connection, const HttpRequest& request) {
  ++stats_.requests;
  SubscribeQuery query = parse_subscribe_query(request);
  if (!query.error.empty()) {
    connection.respond_text(400, query.error);
    return;
  }
  // Polling creates no channel of its own, except in front of a shared broker: there the channel may hold
  // events published through other workers, which this process hears of only once it watches the channel.
  ReplayCursor cursor;
  const Channel* channel =
      hub_.broker().keeps_history_beyond_window() ? hub_.channel(query.channel) : hub_.find(query.channel);
  if (channel != nullptr) {
    const auto batch = static_cast<std::uint32_t>(std::min<std::uint64_t>(batch_.max_events, UINT32_MAX));
    cursor.start(*channel, query.since, batch);
  }
  reply(connection, cursor);
}

void ShortPollTransport::reply(HttpConnection& connection, ReplayCursor& cursor) {
  if (cursor.next() == ReplayCursor::Step::kWait) {
    waits_.wait(connection, std::move(cursor), [this](HttpConnection& c, ReplayCursor& r) { reply(c, r); });
    return;
  }
  std::uint64_t sent = respond_with_batch(connection, cursor, batch_.max_events, scratch_);
  stats_.events_sent += sent;
  if (sent == 0) ++stats_.empty_responses;
}

}  // namespace rtb
