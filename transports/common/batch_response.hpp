// BatchResponse: the finite body of /poll and /longpoll answers, in the same record format as an SSE stream.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "transports/http/http_connection.hpp"
#include "transports/pubsub/hub.hpp"

namespace rtb {

inline constexpr std::string_view kPollContentType = "text/event-stream; charset=utf-8";

// Answers the current request of `connection` with `slice` of `channel`: 200 with the records (plus an
// `X-Rtb-Gap: first-last` header and an `event: gap` record when history was lost), or 204 when empty.
// `scratch` is reused between answers so a batch costs no allocation of its own. Returns events sent.
std::uint64_t respond_with_batch(HttpConnection& connection, const Channel* channel,
                                 const HistorySlice& slice, std::string& scratch);

}  // namespace rtb
