#include "transports/common/client_link.hpp"

#include <fmt/format.h>
#include <uv.h>

namespace rtb {

ClientLink::ClientLink(Loop& loop, const sockaddr_storage& server,
                       const std::optional<sockaddr_storage>& source, const ClientTls& tls,
                       const std::string& tunnel_to, std::uint32_t connect_timeout_ms,
                       ClientWireCounters& counters, ClientLinkOwner& owner)
    : loop_(loop),
      server_(server),
      source_(source),
      tls_(tls),
      tunnel_to_(tunnel_to),
      counters_(counters),
      owner_(owner),
      deadline_timer_(&ClientLink::on_deadline_timer, this),
      retry_timer_(&ClientLink::on_retry_timer, this),
      connect_timeout_ms_(connect_timeout_ms) {}

void ClientLink::stop() {
  begin_stop();
  close();
}

void ClientLink::begin_stop() {
  stopped_ = true;
  loop_.timers().cancel(retry_timer_);
}

void ClientLink::connect() {
  if (stopped_) return;
  close();
  const int rc = connection_.open(loop_, reinterpret_cast<const sockaddr*>(&server_),
                                  source_ ? reinterpret_cast<const sockaddr*>(&*source_) : nullptr, *this, {},
                                  tls_.context, tls_.server_name, tunnel_to_);
  if (rc != 0) {
    connect_failed(ClientErrorKind::kRefused, uv_strerror(rc));
    return;
  }
  expect_within(connect_timeout_ms_);
}

void ClientLink::close() {
  cancel_deadline();
  up_ = false;
  connection_.close();
}

WriteResult ClientLink::send_request_head(std::string_view head) {
  ++counters_.requests;
  counters_.header_bytes_up += head.size();
  return connection_.write_copy(head);
}

WriteResult ClientLink::send_request_head(const SharedBuffer& head) {
  ++counters_.requests;
  counters_.header_bytes_up += head.size();
  return connection_.write(head);  // shares the bytes: a reference, not a copy
}

void ClientLink::fail(ClientErrorKind kind, std::string_view detail) {
  if (!stopped_) owner_.on_link_failure(kind, detail);
}

void ClientLink::drop(ClientErrorKind kind, std::string_view detail) {
  fail(kind, detail);
  close();
  retry_later();
}

void ClientLink::expect_within(std::uint64_t ms) {
  loop_.timers().schedule(deadline_timer_, ms);
}

void ClientLink::cancel_deadline() {
  loop_.timers().cancel(deadline_timer_);
}

void ClientLink::retry_in(std::uint64_t ms) {
  if (stopped_) return;
  loop_.timers().schedule(retry_timer_, ms);
}

void ClientLink::retry_later() {
  if (stopped_ || retry_pending()) return;
  retry_in(owner_.link_retry_delay_ms());
}

void ClientLink::connect_failed(ClientErrorKind kind, std::string_view detail) {
  fail(kind, detail);
  close();
  retry_later();
}

void ClientLink::on_deadline_timer(TimerEntry& entry) {
  auto& self = *static_cast<ClientLink*>(entry.context);
  if (!self.up_) {
    self.connect_failed(
        ClientErrorKind::kTimeout,
        fmt::format("not connected within the request timeout ({} ms)", self.connect_timeout_ms_));
    return;
  }
  self.owner_.on_link_deadline();
}

void ClientLink::on_retry_timer(TimerEntry& entry) {
  auto& self = *static_cast<ClientLink*>(entry.context);
  if (!self.stopped_) self.owner_.on_link_retry();
}

void ClientLink::on_link_connected(int status) {
  if (status != 0) {
    // The connection closes right after this; there is nothing to tell the owner but the failure (a
    // proxy's refusal in its own words).
    const std::string detail =
        connection_.connect_failure().empty() ? uv_strerror(status) : connection_.connect_failure();
    connect_failed(ClientErrorKind::kRefused, detail);
    return;
  }
  up_ = true;
  ++counters_.connects;
  owner_.on_link_up();
}

void ClientLink::on_link_closed() {
  cancel_deadline();
  if (!std::exchange(up_, false)) return;  // a failed connect, reported already
  owner_.on_link_down();
}

}  // namespace rtb
