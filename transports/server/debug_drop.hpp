// Test hook (--enable-test-hooks only): POST /debug/drop closes every other open connection at once, as a
// network failure would (no answer, no close frame), while the server and its history stay: what the browser
// tests use to check that EventSource, long polls and WebSockets resume without losing or repeating an event.
#pragma once

#include "transports/http/http_connection.hpp"
#include "transports/http/http_request.hpp"

namespace rtb {

void handle_debug_drop(HttpServerContext& context, HttpConnection& requester, const HttpRequest& request);

}  // namespace rtb
