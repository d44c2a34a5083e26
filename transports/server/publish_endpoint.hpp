// POST /publish?channel=C: the body is the event text; the answer is the id the broker assigned, sent when
// the broker confirms it (at once for the local broker, after a round trip for a remote one).
#pragma once

#include "transports/http/http_connection.hpp"
#include "transports/pubsub/hub.hpp"

namespace rtb {

void handle_publish(Hub& hub, HttpConnection& connection, const HttpRequest& request);

}  // namespace rtb
