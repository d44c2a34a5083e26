// make_client: the one place that turns a TransportKind into a subscriber session of that transport.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "harness/scenario/transport_kind.hpp"
#include "transports/common/client_session.hpp"

namespace rtb {

// Whether this build has the client end of `kind` (each transport's client arrives with its transport).
bool client_available(TransportKind kind);

// nullptr when !client_available(kind) and for the round-trip modes, which have no subscribers.
// `first_delay_ms` is the short-polling phase (the delay before the first poll); the push transports start at
// once and ignore it.
std::unique_ptr<ClientSession> make_client(TransportKind kind, Loop& loop, ClientOptions options,
                                           ClientEvents& events, std::uint32_t first_delay_ms);

// The request target of a subscriber's first request (`/poll?channel=C&since=N` ...), for sizing header
// profiles and reporting the request head size. Exact for short polling; the other clients build their own
// targets, so for them it is the wire contract's form and may differ by a few bytes.
std::string reference_target(TransportKind kind, const ClientOptions& options);

}  // namespace rtb
