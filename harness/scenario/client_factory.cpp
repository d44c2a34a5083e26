#include "harness/scenario/client_factory.hpp"

namespace rtb {

std::unique_ptr<ClientSession> make_client(TransportKind kind, Loop& loop, ClientOptions options,
                                           ClientEvents& events, std::uint32_t first_delay_ms) {
  if (kind.module == nullptr) return nullptr;
  return kind.module->make_client(loop, std::move(options), events, first_delay_ms);
}

std::string reference_target(TransportKind kind, const ClientOptions& options) {
  if (kind.module == nullptr) return "/";
  return kind.module->reference_target(options);
}

}  // namespace rtb
