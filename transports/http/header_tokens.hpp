// Case-insensitive comparison and comma-separated token lists of HTTP header values (RFC 9110 5.6.1), as used
// by Connection, Upgrade and similar fields.
#pragma once

#include <string_view>

namespace rtb {

// ASCII case-insensitive equality (header names and tokens are ASCII).
bool iequals(std::string_view a, std::string_view b);

// Strips optional whitespace (spaces and tabs) from both ends.
std::string_view trim_ows(std::string_view s);

// Whether the comma-separated list contains `token`, ignoring case and whitespace around elements
// ("keep-alive, Upgrade" has "upgrade"). Empty elements are skipped; an empty token is never found.
bool header_has_token(std::string_view header_value, std::string_view token);

}  // namespace rtb
