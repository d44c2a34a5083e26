#include "harness/scenario/client_factory.hpp"

#include <fmt/format.h>

#include "transports/poll/poll_client.hpp"

// The other client ends are written alongside this generator; each is wired in as soon as its header exists,
// so a build never names a class that is not there yet.
#if __has_include("transports/longpoll/longpoll_client.hpp")
#include "transports/longpoll/longpoll_client.hpp"
#define RTB_HAVE_LONGPOLL_CLIENT 1
#endif
#if __has_include("transports/sse/sse_client.hpp")
#include "transports/sse/sse_client.hpp"
#define RTB_HAVE_SSE_CLIENT 1
#endif
#if __has_include("transports/websocket/ws_client.hpp")
#include "transports/websocket/ws_client.hpp"
#define RTB_HAVE_WS_CLIENT 1
#endif

namespace rtb {

bool client_available(TransportKind kind) {
  switch (kind) {
    case TransportKind::kPoll:
    case TransportKind::kHttp:
      return true;
    case TransportKind::kLongPoll:
#ifdef RTB_HAVE_LONGPOLL_CLIENT
      return true;
#else
      return false;
#endif
    case TransportKind::kSse:
#ifdef RTB_HAVE_SSE_CLIENT
      return true;
#else
      return false;
#endif
    case TransportKind::kWebSocket:
    case TransportKind::kEcho:
#ifdef RTB_HAVE_WS_CLIENT
      return true;
#else
      return false;
#endif
  }
  return false;
}

std::unique_ptr<ClientSession> make_client(TransportKind kind, Loop& loop, ClientOptions options,
                                           ClientEvents& events, std::uint32_t first_delay_ms) {
  switch (kind) {
    case TransportKind::kPoll:
      return std::make_unique<PollClient>(loop, std::move(options), events, first_delay_ms);
    case TransportKind::kLongPoll:
#ifdef RTB_HAVE_LONGPOLL_CLIENT
      return std::make_unique<LongPollClient>(loop, std::move(options), events);
#else
      break;
#endif
    case TransportKind::kSse:
#ifdef RTB_HAVE_SSE_CLIENT
      return std::make_unique<SseClient>(loop, std::move(options), events);
#else
      break;
#endif
    case TransportKind::kWebSocket:
#ifdef RTB_HAVE_WS_CLIENT
      return std::make_unique<WsClient>(loop, std::move(options), events);
#else
      break;
#endif
    case TransportKind::kHttp:
    case TransportKind::kEcho:
      break;  // round-trip modes have no subscribers (RoundTripRun makes their connections)
  }
  (void)first_delay_ms;
  return nullptr;
}

std::string reference_target(TransportKind kind, const ClientOptions& options) {
  switch (kind) {
    case TransportKind::kPoll:
      return fmt::format("/poll?channel={}&since={}", options.channel, options.since);
    case TransportKind::kLongPoll:
      return fmt::format("/longpoll?channel={}&since={}&timeout={}", options.channel, options.since,
                         options.longpoll_timeout_ms);
    case TransportKind::kSse:
      return fmt::format("/sse?channel={}&since={}", options.channel, options.since);
    case TransportKind::kWebSocket:
      return fmt::format("/ws?channel={}&since={}", options.channel, options.since);
    case TransportKind::kHttp:
    case TransportKind::kEcho:
      break;  // their target is the --url's own path
  }
  return "/";
}

}  // namespace rtb
