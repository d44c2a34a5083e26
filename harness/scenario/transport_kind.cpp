#include "harness/scenario/transport_kind.hpp"

#include "transports/table/transport_table.hpp"

namespace rtb {

TransportKind default_transport() {
  return TransportKind::subscriber(*transport_table().front());
}

std::vector<TransportKind> all_transports() {
  std::vector<TransportKind> out;
  for (const TransportModule* m : transport_table()) out.push_back(TransportKind::subscriber(*m));
  return out;
}

std::string_view transport_name(TransportKind kind) {
  switch (kind.round_trip) {
    case RoundTripMode::kHttp:
      return "http";
    case RoundTripMode::kEcho:
      return "echo";
    case RoundTripMode::kNone:
      break;
  }
  return kind.module != nullptr ? kind.module->name : "unknown";
}

std::optional<TransportKind> parse_transport(std::string_view name) {
  if (const TransportModule* m = find_transport(name)) return TransportKind::subscriber(*m);
  if (name == "http") return TransportKind::http();
  if (name == "echo") return TransportKind::echo();
  return std::nullopt;
}

std::string transport_choices() {
  return transport_names() + ", or a round-trip mode (http, echo)";
}

}  // namespace rtb
