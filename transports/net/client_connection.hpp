// ClientConnection: an outgoing TCP connection owned by a long-lived client object that may die first.
#pragma once

#include <memory>

#include <string>
#include <string_view>

#include "transports/net/connect_tunnel.hpp"
#include "transports/net/tcp_connection.hpp"
#include "transports/net/tls_context.hpp"

namespace rtb {

// TLS for a client's connections (https, wss): the run's shared context (trust, resumption) and the name the
// server's certificate must carry (the URL's host). No context: plain TCP.
struct ClientTls {
  TlsContext* context = nullptr;
  std::string server_name;
};

// What a client object implements to hear from its current connection.
class ClientConnectionOwner {
 public:
  virtual ~ClientConnectionOwner() = default;
  virtual void on_link_connected(int status) = 0;
  virtual void on_link_data(char* data, std::size_t len) = 0;
  // The peer closed its side; default: treat as closed (the connection is closed right after).
  virtual void on_link_eof() {}
  virtual void on_link_drained() {}
  // The connection is gone (after close(), an error, or the peer's close).
  virtual void on_link_closed() = 0;
};

// The TcpConnection frees itself in its close callback; this handle only forgets it, so either side may go
// first: destroying the handle closes the connection and stops every further callback to the owner.
class ClientConnection {
 public:
  ClientConnection() = default;
  ClientConnection(const ClientConnection&) = delete;
  ClientConnection& operator=(const ClientConnection&) = delete;
  ~ClientConnection() { close(); }

  // Starts connecting; 0 or a libuv error (then on_link_closed is not called). With `tls`, the connection is
  // TLS (https, wss): on_link_connected comes once the handshake is done, and a failed handshake is a failed
  // connect (UV_EPROTO); `server_name` is what the certificate must name. With `tunnel_to` ("host:port"),
  // `server` is a forward proxy: the connection is an HTTP CONNECT tunnel to `tunnel_to` through it (TLS, if
  // any, inside the tunnel), connected once the proxy agreed.
  int open(Loop& loop, const sockaddr* server, const sockaddr* source, ClientConnectionOwner& owner,
           StreamLimits limits = {}, TlsContext* tls = nullptr, std::string_view server_name = {},
           std::string_view tunnel_to = {});
  bool is_open() const { return tcp_ != nullptr; }
  WriteResult write(SharedBuffer bytes) {
    return stream_ ? stream_->write(std::move(bytes)) : WriteResult::kDropped;
  }
  WriteResult write_copy(std::string_view bytes) {
    return stream_ ? stream_->write_copy(bytes) : WriteResult::kDropped;
  }
  // Closes without telling the owner (the owner asked for it).
  void close();
  // Why the last connect failed when a layer knows better than the status code (the proxy's refusal of
  // CONNECT, with its status line); empty otherwise. Valid until the next open().
  const std::string& connect_failure() const { return connect_failure_; }
  // The socket underneath (per-socket kernel counters), TLS or not.
  TcpConnection* tcp() const { return tcp_; }
  // What the protocol reads and writes: the TCP stream, or TLS over it.
  Stream* stream() const { return stream_; }

 private:
  class Link;
  friend class Link;
  TcpConnection* tcp_ = nullptr;
  Stream* stream_ = nullptr;
  Link* link_ = nullptr;
  ConnectTunnel* tunnel_ = nullptr;  // owned by the TCP stream, forgotten with it
  std::string connect_failure_;
};

}  // namespace rtb
