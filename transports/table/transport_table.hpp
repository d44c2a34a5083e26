// The transport table: every registered transport module, in the order tables and plots show them.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "transports/common/transport_module.hpp"

namespace rtb {

std::span<const TransportModule* const> transport_table();
// By name or alias; nullptr when no transport has it.
const TransportModule* find_transport(std::string_view name);
// "poll, longpoll, sse or ws": for help texts and errors.
std::string transport_names(std::string_view last_separator = " or ");
// "/poll, /longpoll, /sse, /ws": every transport's path, for help texts and logs.
std::string transport_paths();

}  // namespace rtb
