// BatchResponse: the finite body of /poll and /longpoll answers, in the same record format as an SSE stream.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "transports/common/replay_cursor.hpp"
#include "transports/http/http_connection.hpp"

namespace rtb {

inline constexpr std::string_view kPollContentType = "text/event-stream; charset=utf-8";

// Answers the current request of `connection` with what `cursor` yields now, at most `max_events` events:
// 200 with the records (plus an `X-Rtb-Gap: first-last` header and an `event: gap` record first when history
// was lost), or 204 when there is nothing. A cursor never started (no channel) yields nothing. The cursor
// must not be waiting on the broker; one that would have to ask it again mid-batch ends the batch there (the
// client polls on from its last id). `scratch` is reused between answers so a batch costs no allocation of
// its own. Returns events sent.
std::uint64_t respond_with_batch(HttpConnection& connection, ReplayCursor& cursor, std::uint64_t max_events,
                                 std::string& scratch);

}  // namespace rtb
