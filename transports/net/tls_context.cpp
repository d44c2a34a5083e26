#include "transports/net/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509err.h>

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace rtb {

namespace {

// The reason of the newest OpenSSL error, cleared from the thread's queue.
std::string openssl_reason() {
  unsigned long last = 0;
  for (unsigned long e = ERR_get_error(); e != 0; e = ERR_get_error()) last = e;
  if (last == 0) return "unknown error";
  std::array<char, 256> text{};
  ERR_error_string_n(last, text.data(), text.size());
  return text.data();
}

bool readable(const std::string& path, std::string& error, const char* what, const char* flag) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    error = fmt::format("{} {}: cannot read it ({}); give a readable PEM file to {}", what, path,
                        std::strerror(errno), flag);
    return false;
  }
  std::fclose(f);
  return true;
}

// ALPN: rtbench speaks HTTP/1.1 only (WebSocket upgrades ride on it).
int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                unsigned int inlen, void*) {
  static const unsigned char kHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  unsigned char* chosen = nullptr;
  if (SSL_select_next_proto(&chosen, outlen, kHttp11, sizeof(kHttp11), in, inlen) != OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_NOACK;  // a client that offers only h2 still gets HTTP/1.1, as nginx does
  }
  *out = chosen;
  return SSL_TLSEXT_ERR_OK;
}

int on_new_client_session(SSL* ssl, SSL_SESSION* session) {
  auto* context = static_cast<TlsContext*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
  if (context == nullptr) return 0;
  context->remember_session(session);
  return 1;  // the context holds the reference now
}

}  // namespace

std::unique_ptr<TlsContext> TlsContext::server(const TlsServerOptions& options, std::string& error) {
  if (!readable(options.cert_file, error, "certificate", "--tls-cert") ||
      !readable(options.key_file, error, "key", "--tls-key")) {
    return nullptr;
  }
  std::unique_ptr<TlsContext> out = create(Role::kServer, error);
  if (!out) return nullptr;
  SSL_CTX* ctx = out->ctx_;
  // Client-initiated renegotiation costs the server a handshake per request of a hostile client: refused.
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                               (options.tickets ? 0 : SSL_OP_NO_TICKET));
  if (!options.tickets) SSL_CTX_set_num_tickets(ctx, 0);
  if (options.release_buffers) SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  static const unsigned char kSessionContext[] = "rtbench";
  SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof(kSessionContext) - 1);
  SSL_CTX_set_alpn_select_cb(ctx, select_alpn, nullptr);
  if (SSL_CTX_use_certificate_chain_file(ctx, options.cert_file.c_str()) != 1) {
    error =
        fmt::format("certificate {}: not a PEM certificate ({}); give the server certificate to --tls-cert",
                    options.cert_file, openssl_reason());
    return nullptr;
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, options.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH) {
      ERR_clear_error();
      error = fmt::format(
          "key {} does not match certificate {}: give --tls-key the key the certificate was made for",
          options.key_file, options.cert_file);
      return nullptr;
    }
    error = fmt::format("key {}: not a PEM private key ({}); give the certificate's key to --tls-key",
                        options.key_file, openssl_reason());
    return nullptr;
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    ERR_clear_error();
    error = fmt::format(
        "key {} does not match certificate {}: give --tls-key the key the certificate was made for",
        options.key_file, options.cert_file);
    return nullptr;
  }
  X509* cert = SSL_CTX_get0_certificate(ctx);
  if (X509_cmp_current_time(X509_get0_notAfter(cert)) <= 0) {
    error = fmt::format("certificate {} has expired: make a new one (scripts/make-test-certs.sh for tests)",
                        options.cert_file);
    return nullptr;
  }
  if (X509_cmp_current_time(X509_get0_notBefore(cert)) >= 0) {
    error = fmt::format("certificate {} is not valid yet (check the clock, or make a new one)",
                        options.cert_file);
    return nullptr;
  }
  return out;
}

std::unique_ptr<TlsContext> TlsContext::client(const TlsClientOptions& options, std::string& error) {
  if (!options.ca_file.empty() && !readable(options.ca_file, error, "CA file", "--tls-ca")) return nullptr;
  std::unique_ptr<TlsContext> out = create(Role::kClient, error);
  if (!out) return nullptr;
  SSL_CTX* ctx = out->ctx_;
  out->resume_ = options.resume;
  out->verify_ = options.verify;
  if (options.release_buffers) SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  static const unsigned char kAlpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_CTX_set_alpn_protos(ctx, kAlpn, sizeof(kAlpn));
  if (options.verify) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    const int loaded = options.ca_file.empty()
                           ? SSL_CTX_set_default_verify_paths(ctx)
                           : SSL_CTX_load_verify_locations(ctx, options.ca_file.c_str(), nullptr);
    if (loaded != 1) {
      error = fmt::format("CA file {}: no PEM certificate in it ({})", options.ca_file, openssl_reason());
      return nullptr;
    }
  }
  if (options.resume) {
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx, on_new_client_session);
  } else {
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
  }
  return out;
}

std::unique_ptr<TlsContext> TlsContext::create(Role role, std::string& error) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(role == Role::kServer ? TLS_server_method() : TLS_client_method());
  if (ctx == nullptr) {
    error = "cannot create a TLS context: " + openssl_reason();
    return nullptr;
  }
  std::unique_ptr<TlsContext> out(new TlsContext(role, ctx));
  SSL_CTX_set_app_data(ctx, out.get());  // the callbacks find their context
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  return out;
}

TlsContext::~TlsContext() {
  if (session_ != nullptr) SSL_SESSION_free(session_);
  SSL_CTX_free(ctx_);
}

void TlsContext::remember_session(SSL_SESSION* session) {
  if (session_ != nullptr) SSL_SESSION_free(session_);
  session_ = session;
}

std::string tls_library_version() {
  return OpenSSL_version(OPENSSL_VERSION);
}

}  // namespace rtb
