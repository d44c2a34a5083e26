#include "transports/http/router.hpp"

namespace rtb {

namespace {
unsigned bit(HttpMethod m) {
  return 1u << static_cast<unsigned>(m);
}
}  // namespace

void Router::add(std::string path, std::initializer_list<HttpMethod> methods, RouteHandler handler,
                 RouteKind kind) {
  Route route;
  route.path = std::move(path);
  route.kind = kind;
  route.handler = std::move(handler);
  std::string allow = "Allow: ";
  bool first = true;
  for (HttpMethod m : methods) {
    route.method_mask |= bit(m);
    HttpRequest probe;
    probe.set_line(m, 1, 1);
    if (!first) allow += ", ";
    allow += probe.method_name();
    first = false;
  }
  route.allow_header = allow + "\r\n";
  routes_.push_back(std::move(route));
}

Router::Match Router::match(HttpMethod method, std::string_view path) const {
  for (const auto& route : routes_) {
    if (route.path != path) continue;
    if ((route.method_mask & bit(method)) == 0) return {Outcome::kMethodNotAllowed, &route};
    return {Outcome::kFound, &route};
  }
  return {Outcome::kNotFound, nullptr};
}

}  // namespace rtb
