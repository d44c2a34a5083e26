#include "transports/net/connect_tunnel.hpp"

#include <fmt/format.h>
#include <uv.h>

#include <charconv>
#include <utility>

namespace rtb {

ConnectTunnel& ConnectTunnel::attach(Stream& below, std::string_view authority,
                                     std::unique_ptr<StreamHandler> above) {
  auto owned = std::make_unique<ConnectTunnel>(std::string(authority));
  ConnectTunnel& self = *owned;
  self.set_handler(std::move(above));
  below.set_handler(std::move(owned));
  return self;
}

void ConnectTunnel::set_handler(std::unique_ptr<StreamHandler> handler) {
  above_ = std::move(handler);
  if (above_) above_->stream = this;
}

int ConnectTunnel::start_reading() {
  reading_ = true;
  return below().start_reading();
}

void ConnectTunnel::stop_reading() {
  reading_ = false;
  // Until the proxy has answered, its answer is read whatever the layer above wants.
  if (established_) below().stop_reading();
}

WriteResult ConnectTunnel::write(SharedBuffer bytes) {
  // Nothing of the layer above goes out before the tunnel is open: the proxy would take it for a request.
  if (!established_) return WriteResult::kDropped;
  return below().write(std::move(bytes));
}

WriteResult ConnectTunnel::write_copy(std::string_view bytes) {
  if (!established_) return WriteResult::kDropped;
  return below().write_copy(bytes);
}

void ConnectTunnel::on_stream_connected(int status) {
  if (status != 0) {
    failure_ = fmt::format("cannot connect to the proxy: {}", uv_strerror(status));
    if (above_) above_->on_stream_connected(status);
    return;
  }
  below().start_reading();
  // Host is required with CONNECT too (RFC 9112 §3.2); the authority form is the target.
  below().write_copy(fmt::format("CONNECT {0} HTTP/1.1\r\nHost: {0}\r\n\r\n", authority_));
}

void ConnectTunnel::on_stream_data(char* data, std::size_t len) {
  if (established_) {
    if (above_) above_->on_stream_data(data, len);
    return;
  }
  if (failed_) return;
  answer_.append(data, len);
  if (!take_answer() || failed_) return;
  // Bytes behind the answer head already belong to the server behind the proxy.
  std::string rest = std::exchange(answer_, {});
  if (!reading_) below().stop_reading();
  if (above_) above_->on_stream_connected(0);
  if (!rest.empty() && above_ && !below().closing()) above_->on_stream_data(rest.data(), rest.size());
}

bool ConnectTunnel::take_answer() {
  const std::size_t end = answer_.find("\r\n\r\n");
  if (end == std::string::npos) {
    if (answer_.size() > kMaxAnswerHead) {
      fail(UV_EPROTO, fmt::format("the proxy's answer to CONNECT {} has no end of head within {} bytes",
                                  authority_, kMaxAnswerHead));
      return true;
    }
    return false;
  }
  const ProxyAnswer answer = parse_proxy_answer(std::string_view(answer_).substr(0, end));
  if (answer.code == 0) {
    fail(UV_EPROTO, fmt::format("the proxy's answer to CONNECT {} is not HTTP", authority_));
    return true;
  }
  if (answer.code < 200 || answer.code > 299) {
    fail(UV_ECONNREFUSED, fmt::format("the proxy refused CONNECT {}: {}", authority_, answer.status_line));
    return true;
  }
  established_ = true;
  answer_.erase(0, end + 4);
  return true;
}

void ConnectTunnel::fail(int status, std::string reason) {
  failed_ = true;
  failure_ = std::move(reason);
  answer_ = {};
  if (above_) above_->on_stream_connected(status);
  below().close();
}

void ConnectTunnel::on_stream_eof() {
  if (!established_) {
    if (!failed_)
      fail(UV_ECONNRESET,
           fmt::format("the proxy closed the connection before answering CONNECT {}", authority_));
    return;
  }
  if (above_) {
    above_->on_stream_eof();
  } else {
    below().close();
  }
}

void ConnectTunnel::on_stream_drained() {
  if (above_ && established_) above_->on_stream_drained();
}

void ConnectTunnel::on_stream_closed() {
  if (above_) above_->on_stream_closed();
}

ProxyAnswer parse_proxy_answer(std::string_view head) {
  const std::string_view line = head.substr(0, head.find("\r\n"));
  // "HTTP/1.1 200 Connection established": the version, a space, three digits, then the reason.
  if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." || line[8] != ' ') return {};
  int code = 0;
  const char* digits = line.data() + 9;
  auto [end, ec] = std::from_chars(digits, digits + 3, code);
  if (ec != std::errc() || end != digits + 3 || code < 100 || code > 599) return {};
  if (line.size() > 12 && line[12] != ' ') return {};
  return {code, line.substr(9)};
}

}  // namespace rtb
