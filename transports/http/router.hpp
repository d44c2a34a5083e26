// Router: maps an exact request path to its handler, answering 404 for unknown paths and 405 for wrong
// methods.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "transports/http/http_request.hpp"

namespace rtb {

class HttpConnection;

using RouteHandler = std::function<void(HttpConnection&, const HttpRequest&)>;

// How a route's request may be refused when the server is busy: an EventSource stream must never see a
// non-200 status (browsers stop reconnecting), so it is refused by closing the connection instead.
enum class RouteKind : std::uint8_t { kRequest, kStream };

struct Route {
  std::string path;
  RouteKind kind = RouteKind::kRequest;
  unsigned method_mask = 0;
  RouteHandler handler;
  std::string allow_header;  // "Allow: GET, HEAD\r\n" for 405 answers
};

class Router {
 public:
  void add(std::string path, std::initializer_list<HttpMethod> methods, RouteHandler handler,
           RouteKind kind = RouteKind::kRequest);

  enum class Outcome { kFound, kNotFound, kMethodNotAllowed };
  struct Match {
    Outcome outcome;
    const Route* route;
  };
  Match match(HttpMethod method, std::string_view path) const;

 private:
  // A handful of routes: a linear scan beats hashing the path.
  std::vector<Route> routes_;
};

}  // namespace rtb
