// make_client: a subscriber session of the run's transport, made by that transport's module.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "harness/scenario/transport_kind.hpp"
#include "transports/common/client_session.hpp"

namespace rtb {

// nullptr for the round-trip modes, which have no subscribers. `first_delay_ms` is the polling phase (the
// delay before the first poll); transports that do not poll on an interval ignore it.
std::unique_ptr<ClientSession> make_client(TransportKind kind, Loop& loop, ClientOptions options,
                                           ClientEvents& events, std::uint32_t first_delay_ms);

// The request target of a subscriber's first request (`/poll?channel=C&since=N` ...), for sizing header
// profiles and reporting the request head size; "/" for the round-trip modes, whose target is the --url's.
std::string reference_target(TransportKind kind, const ClientOptions& options);

}  // namespace rtb
