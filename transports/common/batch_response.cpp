#include "transports/common/batch_response.hpp"

#include <fmt/format.h>

#include "transports/common/sse_encoder.hpp"

namespace rtb {

namespace {
constexpr std::string_view kNoCache = "Cache-Control: no-cache\r\n";
}

std::uint64_t respond_with_batch(HttpConnection& connection, ReplayCursor& cursor, std::uint64_t max_events,
                                 std::string& scratch) {
  scratch.clear();
  std::uint64_t gap_first = 0;
  std::uint64_t gap_last = 0;
  std::uint64_t sent = 0;
  while (sent < max_events) {
    const ReplayCursor::Step step = cursor.next();
    if (step == ReplayCursor::Step::kGap) {
      // One gap per answer, ahead of its events (the header names it): a later one waits for the next poll.
      if (sent != 0 || gap_first != 0) break;
      gap_first = cursor.gap_first();
      gap_last = cursor.gap_last();
      sse_append_gap(scratch, gap_first, gap_last);
      cursor.pass();
      continue;
    }
    if (step != ReplayCursor::Step::kEvent) break;
    const Event& e = cursor.event();
    sse_append_event(scratch, e.id, e.text());
    cursor.pass();
    ++sent;
  }
  ResponseSpec spec;
  if (sent == 0 && gap_first == 0) {
    spec.status = 204;
    spec.extra_headers = kNoCache;
    connection.respond(spec);
    return 0;
  }
  // Only the rare gap answer needs a header string of its own; the common answer costs no allocation here.
  std::string gap_headers;
  if (gap_first != 0) gap_headers = fmt::format("{}X-Rtb-Gap: {}-{}\r\n", kNoCache, gap_first, gap_last);
  spec.status = 200;
  spec.content_type = kPollContentType;
  spec.extra_headers = gap_headers.empty() ? kNoCache : std::string_view(gap_headers);
  spec.body = scratch;
  connection.respond(spec);
  // A scratch buffer that one huge batch grew is given back.
  if (scratch.capacity() > (1u << 20)) std::string().swap(scratch);
  return sent;
}

}  // namespace rtb
