// TransportKind: the four push techniques a load run can drive, by the names the command line uses.
#pragma once

#include <optional>
#include <string_view>

namespace rtb {

// Not called `Transport`: that name is the server-side seam in transports/http/transport.hpp.
enum class TransportKind { kPoll, kLongPoll, kSse, kWebSocket };

std::string_view transport_name(TransportKind kind);  // "poll", "longpoll", "sse", "ws"
std::optional<TransportKind> parse_transport(std::string_view name);

}  // namespace rtb
