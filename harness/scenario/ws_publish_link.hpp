// WsPublishLink: publishes each event as a text message on a /ws connection; the server sends every message
// back to the sender too, and that echo carries the assigned id.
#pragma once

#include <memory>

#include "harness/scenario/publish_link.hpp"
#include "transports/common/client_session.hpp"
#include "transports/net/loop.hpp"

namespace rtb {

class WsClient;

class WsPublishLink final : public PublishLink, public ClientEvents {
 public:
  // `options` name the server and channel; the link subscribes from "now" (no history).
  WsPublishLink(Loop& loop, ClientOptions options, PublishLinkEvents& events);
  ~WsPublishLink() override;

  void open() override;
  bool send(std::uint64_t seq, std::string_view text) override;
  void close() override;
  bool is_open() const override;
  // The WebSocket client reconnects by itself until closed.
  bool opening() const override { return started_ && !is_open(); }
  std::uint64_t bytes_up() const override;
  std::uint64_t bytes_down() const override;

  void on_connected() override;
  void on_event(std::uint64_t id, std::string_view data) override;
  void on_error(ClientErrorKind kind, std::string_view detail) override;

 private:
  PublishLinkEvents& events_;
  std::unique_ptr<WsClient> client_;
  bool started_ = false;
};

}  // namespace rtb
