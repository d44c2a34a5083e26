#include "transports/net/client_connection.hpp"

#include "transports/net/tls_stream.hpp"

namespace rtb {

class ClientConnection::Link final : public StreamHandler {
 public:
  Link(ClientConnection& handle, ClientConnectionOwner& owner) : handle_(&handle), owner_(&owner) {}
  void detach() {
    handle_ = nullptr;
    owner_ = nullptr;
  }
  void on_stream_connected(int status) override {
    if (owner_ == nullptr) return;
    if (status != 0 && handle_ != nullptr && handle_->tunnel_ != nullptr) {
      handle_->connect_failure_ = handle_->tunnel_->failure();
    }
    if (status == 0) stream->start_reading();
    owner_->on_link_connected(status);
    if (status != 0 && stream != nullptr) stream->close();
  }
  void on_stream_data(char* data, std::size_t len) override {
    if (owner_ != nullptr) owner_->on_link_data(data, len);
  }
  void on_stream_eof() override {
    if (owner_ != nullptr) owner_->on_link_eof();
    stream->close();
  }
  void on_stream_drained() override {
    if (owner_ != nullptr) owner_->on_link_drained();
  }
  void on_stream_closed() override {
    if (handle_ != nullptr) {
      handle_->tcp_ = nullptr;
      handle_->stream_ = nullptr;
      handle_->link_ = nullptr;
      handle_->tunnel_ = nullptr;
    }
    ClientConnectionOwner* owner = owner_;
    detach();
    if (owner != nullptr) owner->on_link_closed();
  }

 private:
  ClientConnection* handle_;
  ClientConnectionOwner* owner_;
};

int ClientConnection::open(Loop& loop, const sockaddr* server, const sockaddr* source,
                           ClientConnectionOwner& owner, StreamLimits limits, TlsContext* tls,
                           std::string_view server_name, std::string_view tunnel_to) {
  close();
  connect_failure_.clear();
  TcpConnection* tcp = TcpConnection::create(loop, limits);
  auto link = std::make_unique<Link>(*this, owner);
  Link* raw = link.get();
  // Layers from the socket up: TCP, the proxy tunnel, TLS, then the link to the owner.
  Stream* below_tls = tcp;
  ConnectTunnel* tunnel = nullptr;
  if (!tunnel_to.empty()) {
    tunnel = &ConnectTunnel::attach(*tcp, tunnel_to, nullptr);
    below_tls = tunnel;
  }
  Stream* top = below_tls;
  if (tls != nullptr) {
    top = &TlsStream::attach(*below_tls, *tls, std::move(link), server_name);
  } else {
    below_tls->set_handler(std::move(link));
  }
  int rc = tcp->connect_to(server, source);
  if (rc != 0) {
    raw->detach();
    tcp->close();
    return rc;
  }
  tcp_ = tcp;
  stream_ = top;
  link_ = raw;
  tunnel_ = tunnel;
  return 0;
}

void ClientConnection::close() {
  if (tcp_ == nullptr) return;
  link_->detach();
  tcp_->close();
  tcp_ = nullptr;
  stream_ = nullptr;
  link_ = nullptr;
  tunnel_ = nullptr;
}

}  // namespace rtb
