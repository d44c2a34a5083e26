// ConnectTunnel: the client's end of an HTTP CONNECT tunnel through a forward proxy (RFC 9110 §9.3.6), a
// Stream over the TCP stream to the proxy. When TCP is up it asks the proxy for `CONNECT authority`; the
// layer above (TLS, or the client itself) hears on_stream_connected(0) only once the proxy answered 2xx, and
// from then on the tunnel passes bytes through both ways untouched. A WebSocket needs this through a forward
// proxy (Upgrade is hop-by-hop, a proxy that forwards absolute-form requests drops it), and so does any
// https/wss.
//
// Ownership: attach() makes the tunnel the handler of the stream below, which owns it (and frees it after
// on_stream_closed); the tunnel owns the handler above it.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "transports/net/stream.hpp"

namespace rtb {

class ConnectTunnel final : public Stream, public StreamHandler {
 public:
  // The proxy's answer head is read up to this size; a longer one is not a proxy speaking HTTP.
  static constexpr std::size_t kMaxAnswerHead = 8 * 1024;

  // Wraps `below` (a client stream, not connected yet): `authority` is "host:port" of the server behind;
  // `above` may be set later with set_handler().
  static ConnectTunnel& attach(Stream& below, std::string_view authority,
                               std::unique_ptr<StreamHandler> above);

  explicit ConnectTunnel(std::string authority) : authority_(std::move(authority)) {}
  ConnectTunnel(const ConnectTunnel&) = delete;
  ConnectTunnel& operator=(const ConnectTunnel&) = delete;

  bool established() const { return established_; }
  // Why the tunnel was not opened, one sentence ("the proxy refused CONNECT 127.0.0.1:80: 403 Forbidden");
  // empty while it may still open or once it has.
  const std::string& failure() const { return failure_; }

  // Stream (the layer above's view)
  void set_handler(std::unique_ptr<StreamHandler> handler) override;
  StreamHandler* handler() const override { return above_.get(); }
  int start_reading() override;
  void stop_reading() override;
  WriteResult write(SharedBuffer bytes) override;
  WriteResult write_copy(std::string_view bytes) override;
  std::size_t queued_bytes() const override { return below().queued_bytes(); }
  const StreamLimits& limits() const override { return below().limits(); }
  void close() override { below().close(); }
  void close_after_writes() override { below().close_after_writes(); }
  bool closing() const override { return below().closing(); }
  Loop& loop() override { return below().loop(); }
  int fd() const override { return below().fd(); }

  // StreamHandler (the proxy connection's events)
  void on_stream_connected(int status) override;
  void on_stream_data(char* data, std::size_t len) override;
  void on_stream_eof() override;
  void on_stream_drained() override;
  void on_stream_closed() override;

 private:
  Stream& below() const { return *stream; }
  // Reads the proxy's answer from `answer_`; true once it is complete (established or failed).
  bool take_answer();
  void fail(int status, std::string reason);

  std::string authority_;
  std::unique_ptr<StreamHandler> above_;
  std::string answer_;  // the proxy's answer head while it arrives; freed once it has
  std::string failure_;
  bool established_ = false;
  bool failed_ = false;
  bool reading_ = false;  // what the layer above asked for
};

// The status line's code and text of a proxy's answer head ("HTTP/1.1 403 Forbidden" -> 403, "403
// Forbidden"); code 0 when the line is not an HTTP status line.
struct ProxyAnswer {
  int code = 0;
  std::string_view status_line;
};
ProxyAnswer parse_proxy_answer(std::string_view head);

}  // namespace rtb
