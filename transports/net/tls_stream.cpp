#include "transports/net/tls_stream.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <uv.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <utility>

namespace rtb {

// The BIO between OpenSSL and the TCP stream: reads take from the TlsStream's pending input, writes go below
// at once. One method table for every stream.
struct TlsBio {
  static BIO_METHOD* methods() {
    static BIO_METHOD* const table = [] {
      BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "rtbench stream");
      BIO_meth_set_write(m, [](BIO* b, const char* data, int len) {
        static_cast<TlsStream*>(BIO_get_data(b))->bio_write(data, len);
        return len;
      });
      BIO_meth_set_read(m, [](BIO* b, char* out, int size) {
        BIO_clear_retry_flags(b);
        const int n = static_cast<TlsStream*>(BIO_get_data(b))->bio_read(out, size);
        if (n <= 0) BIO_set_retry_read(b);
        return n <= 0 ? -1 : n;
      });
      BIO_meth_set_ctrl(m, [](BIO*, int cmd, long, void*) -> long { return cmd == BIO_CTRL_FLUSH ? 1 : 0; });
      BIO_meth_set_create(m, [](BIO* b) {
        BIO_set_init(b, 1);
        return 1;
      });
      return m;
    }();
    return table;
  }
};

namespace {

// Plaintext comes out of SSL_read here before the layer above takes it: one per thread (one loop per
// thread), because the layer above copies what it keeps, like the loop's read buffer. A TLS record holds at
// most 16 KiB of plaintext.
char* plaintext_buffer() {
  thread_local std::array<char, 16 * 1024> buffer;
  return buffer.data();
}

// What a plain HTTP client on the TLS port reads (nginx answers the same way).
const std::string& plain_http_answer() {
  static const std::string answer = [] {
    constexpr std::string_view body = "plain HTTP was sent to the TLS port: use https:// or wss://\n";
    return "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + std::string(body);
  }();
  return answer;
}

}  // namespace

TlsStream& TlsStream::attach(Stream& below, TlsContext& context, std::unique_ptr<StreamHandler> above,
                             std::string_view server_name) {
  SSL* ssl = SSL_new(context.get());
  auto owned = std::make_unique<TlsStream>(PrivateTag{}, context, ssl);
  TlsStream& self = *owned;
  BIO* bio = BIO_new(TlsBio::methods());
  BIO_set_data(bio, &self);
  SSL_set_bio(ssl, bio, bio);  // the SSL owns the BIO (one reference for both directions)
  SSL_set_app_data(ssl, &self);
  SSL_set_info_callback(ssl, &TlsStream::on_info);
  if (context.role() == TlsContext::Role::kServer) {
    SSL_set_accept_state(ssl);
  } else {
    SSL_set_connect_state(ssl);
    const std::string name(server_name);
    if (!name.empty()) {
      // SNI only for names; an address is checked as an address.
      ASN1_OCTET_STRING* ip = a2i_IPADDRESS(name.c_str());
      if (ip == nullptr) {
        SSL_set_tlsext_host_name(ssl, name.c_str());
        if (context.verifies_peer()) SSL_set1_host(ssl, name.c_str());
      } else {
        ASN1_OCTET_STRING_free(ip);
        if (context.verifies_peer()) X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str());
      }
    }
    if (SSL_SESSION* session = context.session_to_resume()) SSL_set_session(ssl, session);
  }
  self.set_handler(std::move(above));
  below.set_handler(std::move(owned));
  return self;
}

TlsStream::TlsStream(PrivateTag, TlsContext& context, SSL* ssl) : context_(context), ssl_(ssl) {}

TlsStream::~TlsStream() {
  // A connection we or the peer simply closed (no close_notify: a client stopping, a server's idle
  // timeout) keeps its session resumable; one that ended in a TLS error does not (OpenSSL's default).
  if (established_ && !failed_) SSL_set_shutdown(ssl_, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
  SSL_free(ssl_);
}

void TlsStream::set_handler(std::unique_ptr<StreamHandler> handler) {
  above_ = std::move(handler);
  if (above_) above_->stream = this;
}

bool TlsStream::resumed() const {
  return SSL_session_reused(ssl_) == 1;
}

std::string_view TlsStream::protocol() const {
  return SSL_get_version(ssl_);
}

// --- the layer above
// ----------------------------------------------------------------------------------------

int TlsStream::start_reading() {
  reading_ = true;
  const int rc = below().start_reading();
  // Plaintext that arrived while input was paused is delivered now, from the loop (not inside the caller).
  if (rc == 0 && !unread_.empty() && established_ && !in_pump_) {
    in_ = unread_;
    pump();
  }
  return rc;
}

void TlsStream::stop_reading() {
  reading_ = false;
  // The handshake goes on whatever the layer above wants; after it, pausing input pauses TCP too (flow
  // control reaches the peer).
  if (established_) below().stop_reading();
}

WriteResult TlsStream::write(SharedBuffer bytes) {
  return write_copy(bytes.view());
}

WriteResult TlsStream::write_copy(std::string_view bytes) {
  if (closed_ || below().closing()) return WriteResult::kDropped;
  if (bytes.empty()) return WriteResult::kOk;
  if (!established_) return WriteResult::kDropped;  // nothing is written before the handshake (see attach)
  // Records are a few bytes bigger than the plaintext; the bound is kept on plaintext + what is queued.
  if (queued_bytes() + bytes.size() > limits().max_queued_bytes) return WriteResult::kDropped;
  last_below_ = WriteResult::kOk;
  ERR_clear_error();
  std::size_t written = 0;
  const int ok = SSL_write_ex(ssl_, bytes.data(), bytes.size(), &written);
  if (ok != 1 || written != bytes.size()) {
    ERR_clear_error();
    below().close();
    return WriteResult::kDropped;
  }
  return last_below_;
}

std::size_t TlsStream::queued_bytes() const {
  return below().queued_bytes();
}

void TlsStream::close_after_writes() {
  if (closed_ || below().closing()) return;
  // close_notify: the peer can tell a complete response from a cut one.
  if (established_) {
    ERR_clear_error();
    SSL_shutdown(ssl_);
    ERR_clear_error();
  }
  below().close_after_writes();
}

// --- the TCP stream below
// -----------------------------------------------------------------------------------

void TlsStream::on_stream_connected(int status) {
  if (status != 0) {
    if (above_) above_->on_stream_connected(status);
    return;
  }
  below().start_reading();
  in_ = {};
  pump();  // writes the ClientHello
}

void TlsStream::on_stream_data(char* data, std::size_t len) {
  if (closed_) return;
  if (!unread_.empty()) {
    unread_.append(data, len);  // behind what is already waiting
    in_ = unread_;
  } else {
    in_ = std::string_view(data, len);
  }
  pump();
}

void TlsStream::on_stream_eof() {
  // The peer closed TCP. Before the handshake that is a failed one; after it (with or without close_notify)
  // the layer above decides, as it does on plain TCP.
  if (!established_) {
    fail_handshake();
    return;
  }
  if (above_) {
    above_->on_stream_eof();
  } else {
    below().close();
  }
}

void TlsStream::on_stream_drained() {
  if (above_ && established_) above_->on_stream_drained();
}

void TlsStream::on_stream_closed() {
  closed_ = true;
  if (!established_ && !failed_ && !sent_plain_error_) ++context_.counters().handshakes_incomplete;
  if (above_) above_->on_stream_closed();
}

void TlsStream::pump() {
  in_pump_ = true;
  if (!established_ && !handshake()) {
    in_pump_ = false;
    return;
  }
  if (established_) read_plaintext();
  keep_unread_input();
  in_pump_ = false;
}

bool TlsStream::handshake() {
  ERR_clear_error();
  const int rc = SSL_do_handshake(ssl_);
  if (rc == 1) {
    established_ = true;
    TlsCounters& c = context_.counters();
    ++c.handshakes;
    if (resumed()) ++c.resumed;
    (SSL_version(ssl_) == TLS1_3_VERSION ? c.tls13 : c.tls12)++;
    if (context_.role() == TlsContext::Role::kClient) {
      if (above_) above_->on_stream_connected(0);
    } else if (!reading_) {
      below().stop_reading();  // the layer above paused input during the handshake
    }
    return !closed_ && !below().closing();
  }
  const int error = SSL_get_error(ssl_, rc);
  if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return false;
  // Plain HTTP on the TLS port: a clear answer in the only language that client speaks.
  const unsigned long reason = ERR_GET_REASON(ERR_peek_last_error());
  if (context_.role() == TlsContext::Role::kServer && reason == SSL_R_HTTP_REQUEST && !sent_plain_error_) {
    sent_plain_error_ = true;
    ++context_.counters().plain_http;
    ERR_clear_error();
    in_ = {};
    below().write_copy(plain_http_answer());
    below().close_after_writes();
    return false;
  }
  fail_handshake();
  return false;
}

void TlsStream::fail_handshake() {
  ERR_clear_error();
  in_ = {};
  failed_ = true;
  if (closed_ || below().closing()) return;
  ++context_.counters().handshake_failures;
  if (context_.role() == TlsContext::Role::kClient && above_) {
    above_->on_stream_connected(UV_EPROTO);  // the client's connect failed: a TLS error, not a refusal
    below().close();
    return;
  }
  // The alert OpenSSL queued (if any) goes out before the close.
  below().close_after_writes();
}

void TlsStream::read_plaintext() {
  char* out = plaintext_buffer();
  while (reading_ && !closed_ && !below().closing()) {
    ERR_clear_error();
    std::size_t n = 0;
    if (SSL_read_ex(ssl_, out, 16 * 1024, &n) == 1) {
      if (above_) above_->on_stream_data(out, n);
      continue;
    }
    const int error = SSL_get_error(ssl_, 0);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return;
    ERR_clear_error();
    if (error == SSL_ERROR_ZERO_RETURN) {  // close_notify: the peer is done sending
      in_ = {};
      on_stream_eof();
      return;
    }
    in_ = {};
    failed_ = true;
    below().close();  // a bad record (tampered, out of order): nothing after it can be trusted
    return;
  }
}

void TlsStream::keep_unread_input() {
  if (in_.empty()) {
    unread_.clear();
    unread_.shrink_to_fit();
    return;
  }
  // The layer above paused input mid-buffer: keep the rest (at most one read's worth, as TCP reading stops
  // too) until it reads again.
  const char* base = unread_.data();
  if (!unread_.empty() && in_.data() >= base && in_.data() <= base + unread_.size()) {
    unread_.erase(0, static_cast<std::size_t>(in_.data() - base));
  } else {
    unread_.assign(in_);
  }
  in_ = {};
  below().stop_reading();
}

int TlsStream::bio_read(char* out, int size) {
  if (in_.empty()) return 0;
  const std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(size), in_.size());
  std::memcpy(out, in_.data(), n);
  in_.remove_prefix(n);
  context_.counters().record_bytes_in += n;
  return static_cast<int>(n);
}

void TlsStream::bio_write(const char* data, int len) {
  if (closed_) return;
  context_.counters().record_bytes_out += static_cast<std::size_t>(len);
  const WriteResult r = below().write_copy(std::string_view(data, static_cast<std::size_t>(len)));
  if (r != WriteResult::kOk && last_below_ != WriteResult::kDropped) last_below_ = r;
}

void TlsStream::on_info(const SSL* ssl, int where, int ret) {
  auto* self = static_cast<TlsStream*>(SSL_get_app_data(ssl));
  if (self == nullptr || !self->established_ || self->renegotiation_refused_) return;
  // A renegotiation attempt after the handshake: OpenSSL refuses it (SSL_OP_NO_RENEGOTIATION) with a
  // no_renegotiation alert; the connection that asked is closed, and counted.
  const bool refused = (where & SSL_CB_WRITE_ALERT) != 0 && (ret & 0xff) == SSL_AD_NO_RENEGOTIATION;
  const bool restarted = (where & SSL_CB_HANDSHAKE_START) != 0 && SSL_version(ssl) != TLS1_3_VERSION;
  if (refused || restarted) {
    self->renegotiation_refused_ = true;
    ++self->context_.counters().renegotiations_refused;
    self->in_ = {};
    self->below().close_after_writes();
  }
}

}  // namespace rtb
