#include "transports/common/client_session.hpp"

namespace rtb {

std::string_view client_error_name(ClientErrorKind kind) {
  switch (kind) {
    case ClientErrorKind::kRefused:
      return "refused";
    case ClientErrorKind::kReset:
      return "reset";
    case ClientErrorKind::kTimeout:
      return "timeout";
    case ClientErrorKind::kProtocol:
      return "protocol";
    case ClientErrorKind::kHttpStatus:
      return "http_status";
  }
  return "unknown";
}

void ClientWireCounters::add(const ClientWireCounters& o) {
  requests += o.requests;
  responses += o.responses;
  empty_responses += o.empty_responses;
  header_bytes_up += o.header_bytes_up;
  framing_bytes_up += o.framing_bytes_up;
  payload_bytes_up += o.payload_bytes_up;
  header_bytes_down += o.header_bytes_down;
  framing_bytes_down += o.framing_bytes_down;
  payload_bytes_down += o.payload_bytes_down;
  events += o.events;
  connects += o.connects;
  tls_bytes_up += o.tls_bytes_up;
  tls_bytes_down += o.tls_bytes_down;
}

}  // namespace rtb
