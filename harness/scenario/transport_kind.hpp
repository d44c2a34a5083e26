// TransportKind: what a load run drives, by the names the command line uses: the four push techniques, and
// two closed-loop round-trip modes (keep-alive HTTP requests, WebSocket echo) that measure any server.
#pragma once

#include <optional>
#include <string_view>

namespace rtb {

// Not called `Transport`: that name is the server-side seam in transports/common/transport.hpp.
enum class TransportKind { kPoll, kLongPoll, kSse, kWebSocket, kHttp, kEcho };

std::string_view transport_name(TransportKind kind);  // "poll", "longpoll", "sse", "ws", "http", "echo"
// kHttp and kEcho: N connections each keeping requests (messages) in flight, no publisher, no subscribers.
constexpr bool is_round_trip(TransportKind kind) {
  return kind == TransportKind::kHttp || kind == TransportKind::kEcho;
}
std::optional<TransportKind> parse_transport(std::string_view name);

}  // namespace rtb
