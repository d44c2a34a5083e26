// ClientSession: what the load generator drives, one subscriber of any transport, and what it reports back.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "transports/net/client_connection.hpp"

namespace rtb {

class Loop;

enum class ClientErrorKind : std::uint8_t {
  kRefused,     // connect() refused or failed (nothing listening, port exhaustion, fd limit)
  kReset,       // the peer reset or closed the connection while we expected more
  kTimeout,     // no answer within the client's own deadline
  kProtocol,    // bytes that break the protocol (bad HTTP, bad frame, handshake mismatch)
  kHttpStatus,  // an HTTP status the transport does not expect (4xx/5xx)
};
std::string_view client_error_name(ClientErrorKind kind);

// Application-layer bytes, split the way the wire-cost table reports them.
struct ClientWireCounters {
  std::uint64_t requests = 0;           // HTTP requests sent (the WebSocket handshake counts as one)
  std::uint64_t responses = 0;          // complete HTTP responses received
  std::uint64_t empty_responses = 0;    // 204s (polls that found nothing, long-poll timeouts)
  std::uint64_t header_bytes_up = 0;    // request lines + headers
  std::uint64_t framing_bytes_up = 0;   // WebSocket frame headers + masks sent
  std::uint64_t payload_bytes_up = 0;   // request bodies, WebSocket payloads sent
  std::uint64_t header_bytes_down = 0;  // status lines + headers (+ chunk framing)
  std::uint64_t framing_bytes_down =
      0;  // SSE/batch field names and line ends, WebSocket frame headers, id prefixes
  std::uint64_t payload_bytes_down = 0;  // the event text itself
  std::uint64_t events = 0;              // events delivered to on_event
  std::uint64_t connects = 0;            // TCP connections opened
  // https/wss: what the connections wrote to and read from TCP, TLS records and handshakes (0 over plain TCP)
  std::uint64_t tls_bytes_up = 0;
  std::uint64_t tls_bytes_down = 0;

  std::uint64_t bytes_up() const { return header_bytes_up + framing_bytes_up + payload_bytes_up; }
  std::uint64_t bytes_down() const { return header_bytes_down + framing_bytes_down + payload_bytes_down; }
  void add(const ClientWireCounters& o);
};

// Implemented by the load generator: one instance per subscriber.
class ClientEvents {
 public:
  virtual ~ClientEvents() = default;
  virtual void on_connected() {}
  // An event with its id as the server sent it; `data` is the event text.
  virtual void on_event(std::uint64_t id, std::string_view data) = 0;
  // The server said ids [first, last] are gone from its history.
  virtual void on_gap(std::uint64_t first, std::uint64_t last) {
    (void)first;
    (void)last;
  }
  virtual void on_error(ClientErrorKind kind, std::string_view detail) = 0;
};

struct ClientOptions {
  sockaddr_storage server{};               // where to connect
  std::optional<sockaddr_storage> source;  // bind to this local address first (127.0.0.2, ...)
  std::string host_header = "127.0.0.1";   // value of Host:
  std::string path_prefix;                 // prepended to the transport's path (servers behind a prefix)
  std::string channel = "default";
  std::uint64_t since = 0;                // resume point: first request asks for ids > since
  std::string extra_headers;              // header profile: complete lines ending in \r\n
  std::uint32_t poll_interval_ms = 1000;  // short polling
  bool connection_per_request = false;    // short polling without keep-alive
  std::uint32_t longpoll_timeout_ms = 30'000;
  std::uint32_t request_timeout_ms = 60'000;  // a connect or request with no answer by then: kTimeout
  std::uint32_t reconnect_delay_ms = 100;     // long poll, SSE: pause before reconnecting after a drop
  ClientTls tls;                              // https, wss
  // Through a forward proxy (`server` is then the proxy): the "host:port" to open an HTTP CONNECT tunnel
  // to; empty: `server` is the server, or the proxy takes absolute-form targets (see path_prefix).
  std::string tunnel_to;
};

class ClientSession {
 public:
  virtual ~ClientSession() = default;
  virtual void start() = 0;
  // Stops and closes; no callbacks after it returns. The session may be destroyed once closed() is true.
  virtual void stop() = 0;
  virtual bool closed() const = 0;
  virtual const ClientWireCounters& counters() const = 0;
  // The highest event id received so far (the resume point).
  virtual std::uint64_t last_id() const = 0;
};

}  // namespace rtb
