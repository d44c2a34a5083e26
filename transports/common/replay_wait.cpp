#include "transports/common/replay_wait.hpp"

#include <memory>
#include <utility>

#include "transports/http/http_connection.hpp"

namespace rtb {

// One deferred request waiting on the broker. It is not a session in the /stats sense (those count parked
// polls and streams): a LocalBroker server never has one.
class ReplayWait final : public HttpSession, public ReplayListener, public SessionLink {
 public:
  ReplayWait(HttpConnection& connection, ReplayCursor&& cursor, ReplayWaits::Then then)
      : connection_(connection), cursor_(std::move(cursor)), then_(std::move(then)) {
    cursor_.set_listener(this);
  }

  void on_replay_ready() override {
    if (!then_ || cursor_.next() == ReplayCursor::Step::kWait) return;
    // What the answer needs leaves this object first: answering destroys it.
    ReplayCursor cursor(std::move(cursor_));
    ReplayWaits::Then then = std::move(then_);
    then(connection_, cursor);
  }

  void give_up() { cursor_.give_up(); }
  // The transport is gone (process teardown): a late answer has nowhere to go.
  void detach() { then_ = nullptr; }

 private:
  HttpConnection& connection_;
  ReplayCursor cursor_;
  ReplayWaits::Then then_;
};

ReplayWaits::ReplayWaits() = default;
ReplayWaits::~ReplayWaits() = default;

void ReplayWaits::wait(HttpConnection& connection, ReplayCursor&& cursor, Then then) {
  auto session = std::make_unique<ReplayWait>(connection, std::move(cursor), std::move(then));
  waits_.add(*session);
  connection.defer(std::move(session));
}

void ReplayWaits::give_up_all() {
  waits_.for_each([](ReplayWait& w) { w.give_up(); });
}

}  // namespace rtb
