#include "harness/scenario/ws_publish_link.hpp"

#include <fmt/format.h>

#include <limits>

#include "harness/scenario/payload_stamp.hpp"
#include "transports/websocket/ws_client.hpp"

namespace rtb {

WsPublishLink::WsPublishLink(Loop& loop, ClientOptions options, PublishLinkEvents& events) : events_(events) {
  // A `since` beyond the newest id means "from now on" (wire contract): the echo of our own messages is all
  // we need, not the channel's history.
  options.since = std::numeric_limits<std::uint64_t>::max() / 2;
  options.extra_headers.clear();
  client_ = std::make_unique<WsClient>(loop, std::move(options), *this);
}

WsPublishLink::~WsPublishLink() {
  close();
}

void WsPublishLink::open() {
  if (started_) return;
  started_ = true;
  client_->start();
}

bool WsPublishLink::send(std::uint64_t, std::string_view text) {
  return client_->is_open() && client_->send_text(text) != WriteResult::kDropped;
}

void WsPublishLink::close() {
  if (!started_) return;
  started_ = false;
  client_->stop();
}

bool WsPublishLink::is_open() const {
  return client_->is_open();
}

std::uint64_t WsPublishLink::bytes_up() const {
  return client_->counters().bytes_up();
}

std::uint64_t WsPublishLink::bytes_down() const {
  return client_->counters().bytes_down();
}

void WsPublishLink::on_connected() {
  events_.on_link_ready();
}

void WsPublishLink::on_event(std::uint64_t id, std::string_view data) {
  // Our own messages come back stamped with their seq; anything else on the channel is not ours to count.
  if (auto stamp = parse_payload_stamp(data)) events_.on_published(stamp->seq, id);
}

void WsPublishLink::on_error(ClientErrorKind kind, std::string_view detail) {
  // The client drops the connection and reconnects itself; what was not echoed yet will not be.
  events_.on_link_lost(fmt::format("{}: {}", client_error_name(kind), detail));
}

}  // namespace rtb
