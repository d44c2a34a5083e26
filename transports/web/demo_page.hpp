// The live demo page for talks: GET / (index.html), /demo.js and /demo.css, served from the binary. Four
// panes receive the same events by short polling, long polling, EventSource and WebSocket
// (transports/web/README.md).
#pragma once

#include "transports/http/router.hpp"

namespace rtb {

void add_demo_page_routes(Router& router);

}  // namespace rtb
