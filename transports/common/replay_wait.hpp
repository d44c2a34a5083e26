// ReplayWaits: /poll and /longpoll requests whose answer waits on the broker (their resume point is older
// than this process's window, and the broker keeps more). The connection is deferred meanwhile; the wait is
// bounded by the cursor's fetch timeout, and shutdown ends it at once. Owned by the transport.
#pragma once

#include <functional>

#include "transports/common/replay_cursor.hpp"
#include "transports/common/session_registry.hpp"

namespace rtb {

class HttpConnection;
class ReplayWait;

class ReplayWaits {
 public:
  // What to do once the cursor can go on: respond, wait again or park. It runs on the waiting session, which
  // responding or deferring destroys; the connection and the cursor it is given stay valid throughout.
  using Then = std::function<void(HttpConnection& connection, ReplayCursor& cursor)>;

  ReplayWaits();
  ~ReplayWaits();
  ReplayWaits(const ReplayWaits&) = delete;
  ReplayWaits& operator=(const ReplayWaits&) = delete;

  // Defers `connection` until `cursor`, which answered kWait, can go on. A session of the connection that is
  // deferred already is replaced (destroyed): it must return right after.
  void wait(HttpConnection& connection, ReplayCursor&& cursor, Then then);
  // Ends every wait now (graceful shutdown): what the broker did not answer becomes a gap.
  void give_up_all();
  std::size_t size() const { return waits_.size(); }

 private:
  SessionRegistry<ReplayWait> waits_;
};

}  // namespace rtb
