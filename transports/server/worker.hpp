// Worker: one process's server on one loop (the composition root): the listener, the hub over its broker,
// every transport in the table, /publish and /stats. `rtbench serve` runs one.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "transports/common/transport.hpp"
#include "transports/http/http_connection.hpp"
#include "transports/net/loop.hpp"
#include "transports/net/tcp_listener.hpp"
#include "transports/net/tls_context.hpp"
#include "transports/pubsub/hub.hpp"
#include "transports/server/server_config.hpp"

namespace rtb {

class Worker {
 public:
  // With the hub's own LocalBroker: one process, ids and history here.
  Worker(Loop& loop, ServerConfig config);
  // Through `broker` (which must outlive the server): ids and history may live outside the process.
  Worker(Loop& loop, ServerConfig config, Broker& broker);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Why the configuration cannot be served (an unusable TLS certificate or key: one line naming the file and
  // the fix), or empty. start() refuses to listen while it is set.
  const std::string& setup_error() const { return setup_error_; }
  // Binds and listens; 0 or a libuv error code.
  int start();
  int port() const { return listener_.bound_port(); }
  // The TLS port: the main one, the --tls-port one, or -1 without TLS.
  int tls_port() const;
  const TlsContext* tls() const { return tls_.get(); }
  // Serves HTTP on a connection that did not come through the listener (the fuzzer's socketpair); it must be
  // open and not reading yet, as an accepted one is.
  void adopt(TcpConnection& connection) { on_accept(connection); }
  // Graceful: stop accepting, end sessions, let answers drain, then close whatever is left after the grace
  // time.
  void shutdown();
  bool shutting_down() const { return shutting_down_; }
  // Closes every connection now, answers unsent (the end of a graceful shutdown; tests that cut clients off).
  void force_close_all();

  Hub& hub() { return hub_; }
  // This process's /stats.
  std::string stats_json() const;
  // What GET /stats answers, given this process's stats: a supervised worker answers for the whole server.
  // Unset: this process's stats.
  void set_stats_view(std::function<std::string(const std::string& own)> view) {
    stats_view_ = std::move(view);
  }
  const std::vector<std::unique_ptr<Transport>>& transports() const { return transports_; }

 private:
  Worker(Loop& loop, ServerConfig config, Broker* broker);
  void add_routes();
  void on_accept(TcpConnection& connection);
  void on_accept_tls(TcpConnection& connection);
  // Where the main listener's connections go: TLS or not.
  void on_main_accept(TcpConnection& connection);
  void on_refuse(TcpConnection& connection);

  Loop& loop_;
  ServerConfig config_;
  Hub hub_;
  HttpServerContext http_;
  std::vector<std::unique_ptr<Transport>> transports_;
  std::unique_ptr<TlsContext> tls_;
  std::string setup_error_;
  TcpListener listener_;
  std::unique_ptr<TcpListener> tls_listener_;  // with --tls-port
  UvHandle<uv_timer_t> grace_timer_;
  bool shutting_down_ = false;
  std::function<std::string(const std::string&)> stats_view_;
};

}  // namespace rtb
