#include "harness/scenario/error_tally.hpp"

namespace rtb {

std::string_view client_error_explanation(ClientErrorKind kind) {
  switch (kind) {
    case ClientErrorKind::kRefused:
      return "connect() failed: nothing listening, accept queue full (lower --connect-batch), ephemeral "
             "ports used up (add --sources) or the open-file limit reached";
    case ClientErrorKind::kReset:
      return "the server reset or closed a connection while an answer or stream was expected (server crash, "
             "its connection cap, or it dropped us as a slow consumer)";
    case ClientErrorKind::kTimeout:
      return "no answer within --request-timeout-ms, or not connected within --connect-timeout-s";
    case ClientErrorKind::kProtocol:
      return "bytes that break the protocol: malformed HTTP, SSE or WebSocket framing, failed handshake";
    case ClientErrorKind::kHttpStatus:
      return "an HTTP status the transport does not expect (4xx/5xx: wrong path or --url prefix, limits)";
  }
  return "";
}

void ErrorTally::add(ClientErrorKind kind, std::string_view detail, std::uint64_t n) {
  std::size_t i = index(kind);
  if (i >= kClientErrorKinds) return;
  if (counts_[i] == 0) details_[i] = std::string(detail.substr(0, 200));
  counts_[i] += n;
}

std::uint64_t ErrorTally::total() const {
  std::uint64_t sum = 0;
  for (auto n : counts_) sum += n;
  return sum;
}

}  // namespace rtb
