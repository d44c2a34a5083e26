#include "transports/table/transport_table.hpp"

#include <vector>

// One declaration per registered transport, generated from the list in transports/CMakeLists.txt.
#define RTB_TRANSPORT(folder) const TransportModule& folder##_transport_module();
namespace rtb {
#include "transport_list.inc"
}  // namespace rtb
#undef RTB_TRANSPORT

namespace rtb {

std::span<const TransportModule* const> transport_table() {
#define RTB_TRANSPORT(folder) &folder##_transport_module(),
  static const std::vector<const TransportModule*> table = {
#include "transport_list.inc"
  };
#undef RTB_TRANSPORT
  return table;
}

const TransportModule* find_transport(std::string_view name) {
  for (const TransportModule* m : transport_table()) {
    if (name == m->name || (!m->alias.empty() && name == m->alias)) return m;
  }
  return nullptr;
}

std::string transport_names(std::string_view last_separator) {
  std::string out;
  auto table = transport_table();
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (i > 0) out += i + 1 == table.size() ? std::string(last_separator) : std::string(", ");
    out += table[i]->name;
  }
  return out;
}

std::string transport_paths() {
  std::string out;
  for (const TransportModule* module : transport_table()) {
    if (!out.empty()) out += ", ";
    out += '/';
    out += module->name;
  }
  return out;
}

}  // namespace rtb
