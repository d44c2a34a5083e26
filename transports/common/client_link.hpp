// ClientLink: what every client of ours (the subscribers and the round-trip clients) does the same way around
// its one TCP connection to the server: connecting from the chosen source address under a deadline, one
// deadline for whatever it waits for next, failing with a reason, pausing before the next attempt, the
// connects counter and the stopped flag. The client keeps its protocol; the link keeps the connection and the
// two timers.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "transports/common/client_session.hpp"
#include "transports/net/client_connection.hpp"
#include "transports/net/loop.hpp"
#include "transports/net/shared_buffer.hpp"
#include "transports/net/timer_wheel.hpp"

namespace rtb {

// What a client implements to hear from its link. Nothing here is called after ClientLink::stop(); after
// begin_stop() only on_link_data, on_link_eof, on_link_down and on_link_deadline are (the clean close the
// client runs), and failures are no longer reported.
class ClientLinkOwner {
 public:
  virtual ~ClientLinkOwner() = default;
  // The TCP connection is up (already counted in `connects`). The connect deadline is still running: the
  // client arms the deadline of what it waits for next (expect_within) or cancels it.
  virtual void on_link_up() = 0;
  virtual void on_link_data(char* data, std::size_t len) = 0;
  // The server closed its side; on_link_down follows.
  virtual void on_link_eof() {}
  // A connection that was up ended without the client's asking (the server closed or reset it). A connect
  // that fails or times out never gets here: the link reports it (kRefused, kTimeout) and calls
  // retry_later().
  virtual void on_link_down() = 0;
  // The deadline armed by expect_within() passed while the connection was up.
  virtual void on_link_deadline() = 0;
  // The pause armed by retry_in() or retry_later() is over: the client's next attempt (connect, poll ...).
  virtual void on_link_retry() = 0;
  // How long retry_later() pauses: the client's reconnect policy (fixed, the server's `retry`, a backoff).
  virtual std::uint64_t link_retry_delay_ms() = 0;
  // Where failures go: ClientEvents::on_error for a subscriber, the run's tally for a round-trip client.
  virtual void on_link_failure(ClientErrorKind kind, std::string_view detail) = 0;
};

// Ownership: the TcpConnection frees itself in its close callback (ClientConnection only forgets it), and the
// timer entries are embedded here and unlinked by their destructors, so the link dies with its client at any
// time; close() and stop() never call back into the owner.
class ClientLink final : private ClientConnectionOwner {
 public:
  // `server` and `source` are read at every connect and must outlive the link (the client's options).
  // `tls` too (the client's options); with a context, "up" means the TLS handshake is done as well, under the
  // same connect deadline; so is `tunnel_to` (non-empty: `server` is a forward proxy, and "up" means the
  // proxy opened the CONNECT tunnel to it).
  ClientLink(Loop& loop, const sockaddr_storage& server, const std::optional<sockaddr_storage>& source,
             const ClientTls& tls, const std::string& tunnel_to, std::uint32_t connect_timeout_ms,
             ClientWireCounters& counters, ClientLinkOwner& owner);
  ClientLink(const ClientLink&) = delete;
  ClientLink& operator=(const ClientLink&) = delete;

  // Clears the stopped flag; a new link starts stopped.
  void start() { stopped_ = false; }
  // No more reports, retries or callbacks; closes the connection.
  void stop();
  // No more reports or retries, but the connection stays for a clean close that the client finishes (with
  // close(), or when the server ends it: on_link_down).
  void begin_stop();
  bool stopped() const { return stopped_; }
  // Stopped, and the connection is gone.
  bool closed() const { return stopped_ && !connection_.is_open(); }

  // Closes the current connection (silently) and connects again, under the connect deadline. A connect that
  // cannot start, fails, or misses the deadline is reported and retried with retry_later(). No-op when
  // stopped.
  void connect();
  // A connection exists (connecting or up).
  bool is_open() const { return connection_.is_open(); }
  // The connect succeeded and the connection has not ended.
  bool is_up() const { return up_; }
  // Closes without telling the owner; the deadline goes with the connection.
  void close();

  WriteResult write(SharedBuffer bytes) { return connection_.write(std::move(bytes)); }
  WriteResult write_copy(std::string_view bytes) { return connection_.write_copy(bytes); }
  // A request head (an HTTP request, or the WebSocket handshake) counted as one request and its header bytes.
  WriteResult send_request_head(std::string_view head);
  WriteResult send_request_head(const SharedBuffer& head);

  // Reports a failure to the owner, unless stopped.
  void fail(ClientErrorKind kind, std::string_view detail);
  // Our decision to give up on this connection: report, close, and retry_later().
  void drop(ClientErrorKind kind, std::string_view detail);

  // The deadline of what the client waits for now (replaces any earlier one).
  void expect_within(std::uint64_t ms);
  void cancel_deadline();
  // The next attempt after `ms` (replaces a pending one). No-op when stopped.
  void retry_in(std::uint64_t ms);
  // The next attempt after the owner's link_retry_delay_ms(), unless one is already pending (it covers this
  // failure too) or the link is stopped.
  void retry_later();
  bool retry_pending() const { return retry_timer_.scheduled(); }

  Loop& loop() const { return loop_; }
  ClientWireCounters& counters() const { return counters_; }

 private:
  static void on_deadline_timer(TimerEntry& entry);
  static void on_retry_timer(TimerEntry& entry);
  void connect_failed(ClientErrorKind kind, std::string_view detail);

  // ClientConnectionOwner
  void on_link_connected(int status) override;
  void on_link_data(char* data, std::size_t len) override { owner_.on_link_data(data, len); }
  void on_link_eof() override { owner_.on_link_eof(); }
  void on_link_closed() override;

  Loop& loop_;
  const sockaddr_storage& server_;
  const std::optional<sockaddr_storage>& source_;
  const ClientTls& tls_;
  const std::string& tunnel_to_;
  ClientWireCounters& counters_;
  ClientLinkOwner& owner_;
  ClientConnection connection_;
  TimerEntry deadline_timer_;
  TimerEntry retry_timer_;
  std::uint32_t connect_timeout_ms_;
  bool up_ = false;
  bool stopped_ = true;
};

}  // namespace rtb
