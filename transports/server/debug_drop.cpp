#include "transports/server/debug_drop.hpp"

#include <fmt/format.h>

#include <vector>

namespace rtb {

void handle_debug_drop(HttpServerContext& context, HttpConnection& requester, const HttpRequest&) {
  // Collected first: a close may unlink a connection from the list.
  std::vector<HttpConnection*> victims;
  for (HttpConnection* c = context.first; c != nullptr; c = c->next()) {
    if (c != &requester) victims.push_back(c);
  }
  for (HttpConnection* c : victims) c->close();
  requester.respond_text(200, fmt::format("dropped {} connections", victims.size()));
}

}  // namespace rtb
