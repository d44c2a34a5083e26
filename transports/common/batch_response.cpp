#include "transports/common/batch_response.hpp"

#include <fmt/format.h>

#include "transports/common/sse_encoder.hpp"

namespace rtb {

namespace {
constexpr std::string_view kNoCache = "Cache-Control: no-cache\r\n";
}

std::uint64_t respond_with_batch(HttpConnection& connection, const Channel* channel,
                                 const HistorySlice& slice, std::string& scratch) {
  ResponseSpec spec;
  if (channel == nullptr || (slice.empty() && slice.gap_first == 0)) {
    spec.status = 204;
    spec.extra_headers = kNoCache;
    connection.respond(spec);
    return 0;
  }
  scratch.clear();
  // Only the rare gap answer needs a header string of its own; the common answer costs no allocation here.
  std::string gap_headers;
  if (slice.gap_first != 0) {
    gap_headers = fmt::format("{}X-Rtb-Gap: {}-{}\r\n", kNoCache, slice.gap_first, slice.gap_last);
    sse_append_gap(scratch, slice.gap_first, slice.gap_last);
  }
  for (std::uint64_t id = slice.first; id != 0 && id <= slice.last; ++id) {
    const Event& e = channel->history().at(id);
    sse_append_event(scratch, e.id, e.text());
  }
  spec.status = 200;
  spec.content_type = kPollContentType;
  spec.extra_headers = gap_headers.empty() ? kNoCache : std::string_view(gap_headers);
  spec.body = scratch;
  connection.respond(spec);
  // A scratch buffer that one huge batch grew is given back.
  if (scratch.capacity() > (1u << 20)) std::string().swap(scratch);
  return slice.count();
}

}  // namespace rtb
