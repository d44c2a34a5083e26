// TransportKind: what a load run drives, by the names the command line uses: one subscriber transport from
// the transport table, or one of two closed-loop round-trip modes (keep-alive HTTP requests, WebSocket echo)
// that measure any server.
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "transports/common/transport_module.hpp"

namespace rtb {

enum class RoundTripMode : std::uint8_t { kNone, kHttp, kEcho };

// Not called `Transport`: that name is the server-side seam in transports/common/transport.hpp.
struct TransportKind {
  const TransportModule* module = nullptr;  // the subscriber transport, unless a round-trip mode
  RoundTripMode round_trip = RoundTripMode::kNone;

  static TransportKind subscriber(const TransportModule& m) { return {&m, RoundTripMode::kNone}; }
  static constexpr TransportKind http() { return {nullptr, RoundTripMode::kHttp}; }
  static constexpr TransportKind echo() { return {nullptr, RoundTripMode::kEcho}; }
  bool operator==(const TransportKind&) const = default;
  auto operator<=>(const TransportKind&) const = default;  // for sets; not the table order
};

// The first transport of the table: the default of --transport and of every config made in code.
TransportKind default_transport();
// Every subscriber transport of the table, in its order.
std::vector<TransportKind> all_transports();

std::string_view transport_name(TransportKind kind);  // the module's name, "http" or "echo"
// kHttp and kEcho: N connections each keeping requests (messages) in flight, no publisher, no subscribers.
constexpr bool is_round_trip(TransportKind kind) {
  return kind.round_trip != RoundTripMode::kNone;
}
// The client asks on an interval (short polling): --poll-interval-ms and --connection-per-request apply.
inline bool polls_on_interval(TransportKind kind) {
  return kind.module != nullptr && kind.module->delivery == Delivery::kPolled;
}
std::optional<TransportKind> parse_transport(std::string_view name);
// "poll, longpoll, sse or ws, or a round-trip mode (http, echo)": for help texts and errors.
std::string transport_choices();

}  // namespace rtb
