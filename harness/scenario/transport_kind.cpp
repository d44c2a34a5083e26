#include "harness/scenario/transport_kind.hpp"

namespace rtb {

std::string_view transport_name(TransportKind kind) {
  switch (kind) {
    case TransportKind::kPoll:
      return "poll";
    case TransportKind::kLongPoll:
      return "longpoll";
    case TransportKind::kSse:
      return "sse";
    case TransportKind::kWebSocket:
      return "ws";
    case TransportKind::kHttp:
      return "http";
    case TransportKind::kEcho:
      return "echo";
  }
  return "unknown";
}

std::optional<TransportKind> parse_transport(std::string_view name) {
  for (TransportKind k : {TransportKind::kPoll, TransportKind::kLongPoll, TransportKind::kSse,
                          TransportKind::kWebSocket, TransportKind::kHttp, TransportKind::kEcho}) {
    if (name == transport_name(k)) return k;
  }
  if (name == "websocket") return TransportKind::kWebSocket;
  return std::nullopt;
}

}  // namespace rtb
