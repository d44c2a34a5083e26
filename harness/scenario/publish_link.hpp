// PublishLink: how the publisher's events travel to the server and how each one's id comes back (HTTP POST
// answers, or the echo of a WebSocket message), so the open-loop schedule does not care which.
#pragma once

#include <cstdint>
#include <string_view>

namespace rtb {

class PublishLinkEvents {
 public:
  virtual ~PublishLinkEvents() = default;
  // Sends may go (again, after a reconnect).
  virtual void on_link_ready() = 0;
  // The server assigned `id` to the publish of `seq` (0 is the marker).
  virtual void on_published(std::uint64_t seq, std::uint64_t id) = 0;
  // The server refused the publish of `seq`.
  virtual void on_publish_failed(std::uint64_t seq, std::string_view why) = 0;
  // The connection is gone: every publish not answered yet is lost (an error, not a delivery).
  virtual void on_link_lost(std::string_view why) = 0;
};

class PublishLink {
 public:
  virtual ~PublishLink() = default;
  virtual void open() = 0;
  // Queues one publish; false when it could not be queued (not open, or the send queue is full).
  virtual bool send(std::uint64_t seq, std::string_view text) = 0;
  virtual void close() = 0;
  virtual bool is_open() const = 0;
  virtual bool opening() const = 0;
  virtual std::uint64_t bytes_up() const = 0;
  virtual std::uint64_t bytes_down() const = 0;
};

}  // namespace rtb
