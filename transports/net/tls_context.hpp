// TlsContext: one OpenSSL SSL_CTX with what every TLS connection of one side shares: the server's certificate
// and key, or the client's trust anchors and session cache, and the counters /stats and the load summary
// print. Built once at start; a file that cannot be used is one clear line for the user, never a half-set-up
// server.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

using SSL_CTX = struct ssl_ctx_st;
using SSL_SESSION = struct ssl_session_st;

namespace rtb {

struct TlsCounters {
  std::uint64_t handshakes = 0;          // completed
  std::uint64_t resumed = 0;             // of those, by session resumption (ticket or id)
  std::uint64_t handshake_failures = 0;  // bad or unsupported ClientHello, garbage, an untrusted certificate
  std::uint64_t handshakes_incomplete = 0;  // closed mid-handshake: a peer that stalled (timed out) or left
  std::uint64_t plain_http = 0;             // plain HTTP sent to the TLS port (answered 400 in plain text)
  std::uint64_t renegotiations_refused = 0;
  std::uint64_t tls12 = 0;  // handshakes by protocol version
  std::uint64_t tls13 = 0;
  // TLS bytes every session of this context read from and wrote to TCP: records and handshakes, what the
  // wire carries above TCP/IP (the generator's TLS bytes per event).
  std::uint64_t record_bytes_in = 0;
  std::uint64_t record_bytes_out = 0;
};

struct TlsServerOptions {
  std::string cert_file;        // PEM: the certificate, then any intermediates
  std::string key_file;         // PEM private key matching the certificate
  bool release_buffers = true;  // SSL_MODE_RELEASE_BUFFERS: idle connections hold no 2 x 16 KiB buffers
  bool tickets = true;          // stateless session tickets (resumption)
};

struct TlsClientOptions {
  std::string ca_file;  // trust anchors (PEM); empty: the system's
  bool verify = true;   // false: --insecure (the summary says so)
  bool resume = true;   // offer the last session the server gave us on every new connection
  bool release_buffers = true;
};

class TlsContext {
 public:
  enum class Role : std::uint8_t { kServer, kClient };

  // nullptr and `error` set (one line naming the file and the fix) when the files cannot be used: missing or
  // unreadable, not PEM, a key that does not match the certificate, a certificate not valid now.
  static std::unique_ptr<TlsContext> server(const TlsServerOptions& options, std::string& error);
  static std::unique_ptr<TlsContext> client(const TlsClientOptions& options, std::string& error);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  Role role() const { return role_; }
  SSL_CTX* get() const { return ctx_; }
  TlsCounters& counters() { return counters_; }
  const TlsCounters& counters() const { return counters_; }
  bool verifies_peer() const { return verify_; }

  // Client: the session to offer on the next connection (nullptr: a full handshake), and where a new one
  // the server issued goes.
  SSL_SESSION* session_to_resume() const { return resume_ ? session_ : nullptr; }
  void remember_session(SSL_SESSION* session);

 private:
  TlsContext(Role role, SSL_CTX* ctx) : role_(role), ctx_(ctx) {}
  // A context of `role` speaking TLS 1.2 and up, or nullptr and `error`.
  static std::unique_ptr<TlsContext> create(Role role, std::string& error);

  Role role_;
  SSL_CTX* ctx_;
  TlsCounters counters_;
  SSL_SESSION* session_ = nullptr;  // client: the newest session the server issued (owned)
  bool resume_ = false;
  bool verify_ = true;
};

// The OpenSSL library in use ("OpenSSL 3.0.19 27 Jan 2026"), for metadata.
std::string tls_library_version();

}  // namespace rtb
