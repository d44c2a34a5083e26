#include "transports/poll/short_poll_transport.hpp"

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
  // Polling never creates a channel: only publishing and push subscriptions do.
  const Channel* channel = hub_.find(query.channel);
  HistorySlice slice = channel ? channel->since(query.since, batch_.max_events) : HistorySlice{};
  std::uint64_t sent = respond_with_batch(connection, channel, slice, scratch_);
  stats_.events_sent += sent;
  if (sent == 0) ++stats_.empty_responses;
}

}  // namespace rtb
