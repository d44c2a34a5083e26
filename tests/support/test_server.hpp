// TestServer: a real rtbench Worker on 127.0.0.1 and a free port, running its own loop on a background
// thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "transports/server/server_config.hpp"

namespace rtb {
class Broker;
class Loop;
class Worker;
}  // namespace rtb

namespace rtb::test {

class TestServer {
 public:
  // Makes the broker the server's hub uses, on the server's loop thread (it lives there, and outlives the
  // server); none: the hub's own LocalBroker.
  using BrokerFactory = std::function<std::unique_ptr<Broker>(Loop& loop)>;

  explicit TestServer(ServerConfig config = default_config(), BrokerFactory make_broker = nullptr);
  ~TestServer();  // graceful shutdown, then joins: every handle is closed and the loop closed cleanly
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  int port() const { return port_; }
  // With config.tls set: the TLS port (the same as port() without config.tls_port); else -1.
  int tls_port() const { return tls_port_; }
  static ServerConfig default_config();
  // Runs `fn` on the server's loop thread and waits for it (for inspecting server state in tests).
  void run_on_loop(std::function<void()> fn);
  // The server itself (hub, stats, force_close_all); touch it only inside run_on_loop, on its loop thread.
  Worker& server();

 private:
  struct State;
  std::unique_ptr<State> state_;
  std::thread thread_;
  int port_ = 0;
  int tls_port_ = -1;
};

}  // namespace rtb::test
