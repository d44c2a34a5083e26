// RoundTripClient: one closed-loop connection of a round-trip run (RequestLoopClient for HTTP,
// EchoLoopClient for WebSocket echo), as RoundTripRun drives it through the phases.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>

#include "harness/scenario/round_trip_tally.hpp"
#include "transports/common/client_session.hpp"

namespace rtb {

// What every connection of a run shares (built once by the run).
struct RoundTripTarget {
  sockaddr_storage server{};
  std::optional<sockaddr_storage> source;
  std::string host_header;
  std::string target;         // request target: the --url's path and query (http), /echo by default (echo)
  std::string extra_headers;  // the header profile's lines
  std::uint32_t pipeline = 1;
  std::uint32_t payload_bytes = 32;  // echo message size, stamp included
  std::uint32_t request_timeout_ms = 60'000;
  std::uint32_t reconnect_delay_ms = 100;  // after an error; a polite `Connection: close` reconnects at once
};

class RoundTripClient {
 public:
  enum class State : std::uint8_t { kIdle, kConnecting, kReady, kFailed };

  explicit RoundTripClient(RoundTripTally& tally) : tally_(tally) {}
  virtual ~RoundTripClient() = default;
  RoundTripClient(const RoundTripClient&) = delete;
  RoundTripClient& operator=(const RoundTripClient&) = delete;

  // Connects (and, for echo, does the handshake); the tally's `ready` counts it once it can send.
  virtual void open() = 0;
  // From now on keeps `pipeline` operations in flight while tally.may_send(); idempotent.
  virtual void begin() = 0;
  // Closes; no further callbacks into the tally.
  virtual void stop() = 0;
  // Drops the connection (kTimeout) when its oldest operation has waited longer than the request timeout.
  virtual void check_timeout(std::uint64_t now_ns) = 0;
  virtual std::uint32_t in_flight() const = 0;
  virtual const ClientWireCounters& counters() const = 0;

  State state() const { return state_; }
  // The connect phase ended without this connection ready.
  void give_up_connecting() {
    if (state_ != State::kConnecting) return;
    state_ = State::kFailed;
    ++tally_.failed;
    tally_.errors.add(ClientErrorKind::kTimeout, "not connected within --connect-timeout-s");
  }

 protected:
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

  RoundTripTally& tally_;

 private:
  State state_ = State::kIdle;
};

}  // namespace rtb
