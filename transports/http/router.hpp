// Router: maps an exact request path to its handler, answering 404 for unknown paths and 405 for wrong
// methods.
#pragma once

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "transports/http/http_request.hpp"

namespace rtb {

class HttpConnection;

using RouteHandler = std::function<void(HttpConnection&, const HttpRequest&)>;

struct Route {
  std::string path;
  unsigned method_mask = 0;
  RouteHandler handler;
  std::string allow_header;  // "Allow: GET, HEAD\r\n" for 405 answers
};

class Router {
 public:
  void add(std::string path, std::initializer_list<HttpMethod> methods, RouteHandler handler);

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
