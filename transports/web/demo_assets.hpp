// The demo page's files (transports/web/page/), compiled into the binary by embed_assets.cmake.
#pragma once

#include <optional>
#include <string_view>

namespace rtb {

// The bytes of a page file by its base name ("index.html", "demo.js", "demo.css"); nullopt for another name.
std::optional<std::string_view> web_asset(std::string_view name);

}  // namespace rtb
