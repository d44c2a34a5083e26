// TlsStream: TLS over another Stream (the TCP one), itself a Stream, so the layers above (HTTP, WebSocket,
// the clients) run unchanged over it. OpenSSL reads and writes through a BIO of ours: records read from below
// are handed to SSL_read straight from the loop's read buffer (kept only when the layer above pauses input),
// and each record SSL writes goes below as one buffer, on the same loop. No socket call, no blocking, no
// second loop.
//
// Ownership: attach() makes the TlsStream the handler of the stream below, which owns it (and frees it after
// on_stream_closed); the TlsStream owns the handler above it. Closing either side closes the TCP stream.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "transports/net/stream.hpp"
#include "transports/net/tls_context.hpp"

using SSL = struct ssl_st;

namespace rtb {

class TlsStream final : public Stream, public StreamHandler {
 public:
  // Wraps `below` (open, not reading yet): from now on `below` belongs to TLS, and `above` to the TlsStream.
  // A client stream starts its handshake when `below` reports its connect; `above` hears
  // on_stream_connected(0) only once the handshake is done (a failed one: a libuv-style error and a close).
  // `server_name` (client): the name or address the certificate must carry, and the SNI sent.
  static TlsStream& attach(Stream& below, TlsContext& context, std::unique_ptr<StreamHandler> above,
                           std::string_view server_name = {});
  ~TlsStream() override;
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  // Stream (the layer above's view)
  void set_handler(std::unique_ptr<StreamHandler> handler) override;
  StreamHandler* handler() const override { return above_.get(); }
  int start_reading() override;
  void stop_reading() override;
  WriteResult write(SharedBuffer bytes) override;
  WriteResult write_copy(std::string_view bytes) override;
  std::size_t queued_bytes() const override;
  const StreamLimits& limits() const override { return below().limits(); }
  void close() override { below().close(); }
  void close_after_writes() override;
  bool closing() const override { return below().closing(); }
  Loop& loop() override { return below().loop(); }
  int fd() const override { return below().fd(); }

  bool established() const { return established_; }
  bool resumed() const;
  // "TLSv1.3", "TLSv1.2" once established.
  std::string_view protocol() const;

  // StreamHandler (the TCP stream's events)
  void on_stream_data(char* data, std::size_t len) override;
  void on_stream_eof() override;
  void on_stream_connected(int status) override;
  void on_stream_drained() override;
  void on_stream_closed() override;

 private:
  struct PrivateTag {};

 public:
  TlsStream(PrivateTag, TlsContext& context, SSL* ssl);

 private:
  friend struct TlsBio;

  Stream& below() const { return *stream; }
  // Feeds `in_` to OpenSSL: the handshake, then plaintext to the layer above while it reads.
  void pump();
  bool handshake();
  void read_plaintext();
  void fail_handshake();
  void keep_unread_input();
  // The BIO's ends.
  int bio_read(char* out, int size);
  void bio_write(const char* data, int len);
  static void on_info(const SSL* ssl, int where, int ret);

  TlsContext& context_;
  SSL* ssl_;
  std::unique_ptr<StreamHandler> above_;
  std::string_view in_;  // ciphertext not yet given to OpenSSL: the read buffer's, or unread_'s
  std::string unread_;   // what was left in the read buffer when the layer above paused input
  WriteResult last_below_ = WriteResult::kOk;
  bool established_ = false;
  bool reading_ = false;  // the layer above wants plaintext
  bool closed_ = false;
  bool in_pump_ = false;
  bool sent_plain_error_ = false;
  bool renegotiation_refused_ = false;
  bool failed_ = false;  // a TLS error ended it: its session is not offered again
};

}  // namespace rtb
