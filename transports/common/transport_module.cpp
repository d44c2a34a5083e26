#include "transports/common/transport_module.hpp"

namespace rtb {

std::string_view delivery_name(Delivery delivery) {
  switch (delivery) {
    case Delivery::kPolled:
      return "polled";
    case Delivery::kParked:
      return "parked";
    case Delivery::kStreamed:
      return "streamed";
  }
  return "unknown";
}

}  // namespace rtb
