#include "transports/common/subscribe_query.hpp"

#include "transports/http/query_params.hpp"
#include "transports/pubsub/hub.hpp"

namespace rtb {

SubscribeQuery parse_subscribe_query(const HttpRequest& request, bool accept_last_event_id) {
  SubscribeQuery q;
  auto [channel_raw, since] = QueryParams(request.query()).raw_each<2>({"channel", "since"});
  if (channel_raw) {
    auto channel = percent_decode(*channel_raw);
    if (!channel) {
      q.error = "channel is not valid percent-encoding";
      return q;
    }
    if (!Hub::valid_channel_name(*channel)) {
      q.error = "channel must be 1-64 characters of A-Z a-z 0-9 . _ -";
      return q;
    }
    q.channel = std::move(*channel);
  }
  if (since) {
    auto value = parse_decimal_u64(*since);
    if (!value) {
      q.error = "since must be a non-negative decimal event id";
      return q;
    }
    q.since = *value;
    q.has_since = true;
  } else if (accept_last_event_id) {
    if (auto header = request.header("Last-Event-ID")) {
      // A browser resends whatever id it last saw; one that is not ours starts from the beginning.
      if (auto value = parse_decimal_u64(*header)) {
        q.since = *value;
        q.has_since = true;
      }
    }
  }
  return q;
}

}  // namespace rtb
