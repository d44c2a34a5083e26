// RoundTripClient: one closed-loop connection of a round-trip run (RequestLoopClient for HTTP,
// EchoLoopClient for WebSocket echo), as RoundTripRun drives it through the phases.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>

#include "harness/scenario/round_trip_tally.hpp"
#include "transports/common/client_link.hpp"
#include "transports/common/client_session.hpp"
#include "transports/net/loop.hpp"

namespace rtb {

// What every connection of a run shares (built once by the run).
struct RoundTripTarget {
  sockaddr_storage server{};
  std::optional<sockaddr_storage> source;
  std::string host_header;
  std::string target;         // request target: the --url's path and query (http), /echo by default (echo)
  std::string extra_headers;  // the header profile's lines
  std::uint32_t pipeline = 1;
  // http open loop: each connection's interval between requests (0: closed loop) and the run's spacing
  // between consecutive connections' first requests.
  std::uint64_t open_loop_interval_ns = 0;
  std::uint64_t open_loop_spacing_ns = 0;
  std::uint32_t payload_bytes = 32;  // echo message size, stamp included
  std::uint32_t request_timeout_ms = 60'000;
  std::uint32_t reconnect_delay_ms = 100;  // after an error; a polite `Connection: close` reconnects at once
  ClientTls tls;                           // https, wss
  std::string tunnel_to;                   // through a forward proxy at `server`: CONNECT to this host:port
};

// Failures go to the run's tally; a connection that fails reconnects after target.reconnect_delay_ms. The
// link's deadline bounds the connect only: operations are timed by check_timeout().
class RoundTripClient : protected ClientLinkOwner {
 public:
  enum class State : std::uint8_t { kIdle, kConnecting, kReady, kFailed };

  // `target` and `tally` belong to the run and outlive the client.
  RoundTripClient(Loop& loop, const RoundTripTarget& target, RoundTripTally& tally)
      : target_(target),
        tally_(tally),
        link_(loop, target.server, target.source, target.tls, target.tunnel_to, target.request_timeout_ms,
              counters_, *this) {}
  ~RoundTripClient() override = default;
  RoundTripClient(const RoundTripClient&) = delete;
  RoundTripClient& operator=(const RoundTripClient&) = delete;

  // Connects (and, for echo, does the handshake); the tally's `ready` counts it once it can send.
  void open() {
    mark_connecting();
    link_.start();
    connect();
  }
  // From now on keeps `pipeline` operations in flight while tally.may_send(); idempotent.
  virtual void begin() = 0;
  // Closes; no further callbacks into the tally.
  virtual void stop() = 0;
  // Drops the connection (kTimeout) when its oldest operation has waited longer than the request timeout.
  virtual void check_timeout(std::uint64_t now_ns) = 0;
  virtual std::uint32_t in_flight() const = 0;
  const ClientWireCounters& counters() const { return counters_; }

  State state() const { return state_; }
  // The connect phase ended without this connection ready.
  void give_up_connecting() {
    if (state_ != State::kConnecting) return;
    state_ = State::kFailed;
    ++tally_.failed;
    tally_.errors.add(ClientErrorKind::kTimeout, "not connected within --connect-timeout-s");
  }

 protected:
  // A new connection: the client's per-connection state afresh, then link_.connect().
  virtual void connect() = 0;

  void mark_ready() {
    if (state_ == State::kReady) return;  // a reconnect
    if (state_ == State::kFailed) --tally_.failed;
    state_ = State::kReady;
    ++tally_.ready;
  }
  void report(ClientErrorKind kind, std::string_view detail) {
    tally_.errors.add(kind, detail);
    if (state_ == State::kConnecting) {
      state_ = State::kFailed;
      ++tally_.failed;
    }
  }
  void mark_connecting() {
    if (state_ == State::kIdle) state_ = State::kConnecting;
  }

  // ClientLinkOwner: the parts every round-trip client shares.
  void on_link_deadline() override {}  // cancelled once connected: operations are timed by check_timeout()
  void on_link_retry() override { connect(); }
  std::uint64_t link_retry_delay_ms() override { return target_.reconnect_delay_ms; }
  void on_link_failure(ClientErrorKind kind, std::string_view detail) override { report(kind, detail); }

  const RoundTripTarget& target_;
  RoundTripTally& tally_;
  ClientWireCounters counters_;
  ClientLink link_;

 private:
  State state_ = State::kIdle;
};

}  // namespace rtb
