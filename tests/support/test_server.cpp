#include "tests/support/test_server.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <stdexcept>

#include "transports/net/loop.hpp"
#include "transports/pubsub/broker.hpp"
#include "transports/server/worker.hpp"

namespace rtb::test {

struct TestServer::State {
  std::mutex mutex;
  std::condition_variable cv;
  bool ready = false;
  int port = 0;
  int tls_port = -1;
  int error = 0;
  std::deque<std::function<void()>> work;
  uv_async_t* async = nullptr;
  Worker* server = nullptr;
};

ServerConfig TestServer::default_config() {
  ServerConfig config;
  config.listen.host = "127.0.0.1";
  config.listen.port = 0;
  config.shutdown_grace_ms = 300;
  return config;
}

TestServer::TestServer(ServerConfig config, BrokerFactory make_broker) : state_(std::make_unique<State>()) {
  State* st = state_.get();
  thread_ = std::thread([st, config, make_broker = std::move(make_broker)] {
    Loop loop;
    std::unique_ptr<Broker> broker = make_broker ? make_broker(loop) : nullptr;
    auto owned =
        broker ? std::make_unique<Worker>(loop, config, *broker) : std::make_unique<Worker>(loop, config);
    Worker& server = *owned;
    int rc = server.start();
    UvHandle<uv_async_t> async;
    uv_async_init(loop.get(), async.get(), [](uv_async_t* h) {
      auto* s = static_cast<State*>(h->data);
      std::deque<std::function<void()>> work;
      {
        std::lock_guard lock(s->mutex);
        work.swap(s->work);
      }
      for (auto& fn : work) fn();
    });
    async.set_initialised();
    async->data = st;
    {
      std::lock_guard lock(st->mutex);
      st->ready = true;
      st->error = rc;
      st->port = rc == 0 ? server.port() : 0;
      st->tls_port = rc == 0 ? server.tls_port() : -1;
      st->async = async.get();
      st->server = &server;
    }
    st->cv.notify_all();
    if (rc != 0) return;
    loop.run();
    std::lock_guard lock(st->mutex);
    st->async = nullptr;
    st->server = nullptr;
  });
  std::unique_lock lock(st->mutex);
  st->cv.wait(lock, [st] { return st->ready; });
  if (st->error != 0) {
    lock.unlock();
    thread_.join();
    throw std::runtime_error(std::string("test server failed to listen: ") + uv_strerror(st->error));
  }
  port_ = st->port;
  tls_port_ = st->tls_port;
}

void TestServer::run_on_loop(std::function<void()> fn) {
  std::mutex done_mutex;
  std::condition_variable done_cv;
  bool done = false;
  {
    std::lock_guard lock(state_->mutex);
    state_->work.push_back([&] {
      fn();
      std::lock_guard l(done_mutex);
      done = true;
      done_cv.notify_all();
    });
    uv_async_send(state_->async);
  }
  std::unique_lock l(done_mutex);
  done_cv.wait(l, [&] { return done; });
}

Worker& TestServer::server() {
  return *state_->server;
}

TestServer::~TestServer() {
  {
    std::lock_guard lock(state_->mutex);
    if (state_->async != nullptr) {
      state_->work.push_back([st = state_.get()] {
        st->server->shutdown();
        // The async handle must not keep the loop alive once the server has drained.
        uv_unref(reinterpret_cast<uv_handle_t*>(st->async));
      });
      uv_async_send(state_->async);
    }
  }
  if (thread_.joinable()) thread_.join();
}

}  // namespace rtb::test
