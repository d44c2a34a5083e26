#include "transports/web/demo_page.hpp"

#include <string>
#include <string_view>

#include "transports/http/http_connection.hpp"
#include "transports/http/response_writer.hpp"
#include "transports/web/demo_assets.hpp"

namespace rtb {

namespace {

void add_asset_route(Router& router, std::string path, std::string_view asset,
                     std::string_view content_type) {
  router.add(std::move(path), {HttpMethod::kGet, HttpMethod::kHead},
             [asset, content_type](HttpConnection& connection, const HttpRequest&) {
               std::optional<std::string_view> bytes = web_asset(asset);
               if (!bytes) {
                 connection.respond_text(404, "the demo page was not compiled in");
                 return;
               }
               ResponseSpec spec;
               spec.content_type = content_type;
               // A rebuilt binary must serve its own page, never a cached older one.
               spec.extra_headers = "Cache-Control: no-store\r\n";
               spec.body = *bytes;
               connection.respond(spec);
             });
}

}  // namespace

void add_demo_page_routes(Router& router) {
  add_asset_route(router, "/", "index.html", "text/html; charset=utf-8");
  add_asset_route(router, "/demo.js", "demo.js", "text/javascript; charset=utf-8");
  add_asset_route(router, "/demo.css", "demo.css", "text/css; charset=utf-8");
}

}  // namespace rtb
