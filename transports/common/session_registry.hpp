// SessionRegistry: a transport's list of its open sessions (parked long polls, SSE streams, WebSockets), for
// shutdown walks and the sessions_open / sessions_total counts. Intrusive: a session embeds its links by
// deriving from SessionLink, so registering costs no allocation.
//
//   class MySession : public HttpSession, public SessionLink { ... void detach(); };
//   SessionRegistry<MySession> sessions_{&stats_};      // in the transport
//   sessions_.add(session);                             // in the session's constructor
//   sessions_.for_each([](MySession& s) { s.end(); });  // shutdown
//
// A session leaves by itself when destroyed. Connections own sessions and may outlive the transport (process
// teardown): the registry's destructor then calls each one's detach(), after which it must not touch the
// transport.
#pragma once

#include <cstdint>

#include "transports/common/transport.hpp"

namespace rtb {

class SessionList;

class SessionLink {
 public:
  SessionLink() = default;
  SessionLink(const SessionLink&) = delete;
  SessionLink& operator=(const SessionLink&) = delete;
  bool registered() const { return list_ != nullptr; }
  // The counters of the registry this session is in (its transport's), or nullptr: not registered, or the
  // transport is gone.
  TransportStats* registry_stats() const;

 protected:
  ~SessionLink();

 private:
  friend class SessionList;
  SessionList* list_ = nullptr;
  SessionLink* prev_ = nullptr;
  SessionLink* next_ = nullptr;
};

// The untyped list under SessionRegistry.
class SessionList {
 public:
  // Counts into `stats` (sessions_open, sessions_total) when given.
  explicit SessionList(TransportStats* stats) : stats_(stats) {}
  SessionList(const SessionList&) = delete;
  SessionList& operator=(const SessionList&) = delete;

  void add(SessionLink& link) {
    link_in(link);
    if (stats_ != nullptr) {
      ++stats_->sessions_open;
      ++stats_->sessions_total;
    }
  }
  void remove(SessionLink& link) {
    if (link.list_ != this) return;
    unlink(link);
    if (stats_ != nullptr) --stats_->sessions_open;
  }
  // Moves a session to another list of the same transport (same stats): it stays open and is not counted
  // again.
  void transfer(SessionLink& link, SessionList& to) {
    if (link.list_ != this) return;
    unlink(link);
    to.link_in(link);
  }
  std::size_t size() const { return size_; }
  bool empty() const { return first_ == nullptr; }
  TransportStats* stats() const { return stats_; }

 protected:
  ~SessionList() = default;
  static SessionLink* next_of(const SessionLink& link) { return link.next_; }
  SessionLink* first() const { return first_; }
  void link_in(SessionLink& link) {
    link.list_ = this;
    link.prev_ = nullptr;
    link.next_ = first_;
    if (first_ != nullptr) first_->prev_ = &link;
    first_ = &link;
    ++size_;
  }
  void unlink(SessionLink& link) {
    if (link.prev_ != nullptr) {
      link.prev_->next_ = link.next_;
    } else {
      first_ = link.next_;
    }
    if (link.next_ != nullptr) link.next_->prev_ = link.prev_;
    link.list_ = nullptr;
    link.prev_ = link.next_ = nullptr;
    --size_;
  }
  // Forgets every link without counting: the sessions stay open, only the registry goes.
  void release_all() {
    for (SessionLink* l = first_; l != nullptr;) {
      SessionLink* next = l->next_;
      l->list_ = nullptr;
      l->prev_ = l->next_ = nullptr;
      l = next;
    }
    first_ = nullptr;
    size_ = 0;
  }

 private:
  TransportStats* stats_;
  SessionLink* first_ = nullptr;
  std::size_t size_ = 0;
};

inline SessionLink::~SessionLink() {
  if (list_ != nullptr) list_->remove(*this);
}

inline TransportStats* SessionLink::registry_stats() const {
  return list_ != nullptr ? list_->stats() : nullptr;
}

// `Session` derives from SessionLink and has `void detach()`.
template <typename Session>
class SessionRegistry final : public SessionList {
 public:
  explicit SessionRegistry(TransportStats* stats = nullptr) : SessionList(stats) {}
  ~SessionRegistry() {
    for_each([](Session& s) { s.detach(); });
    release_all();
  }

  Session* front() const { return static_cast<Session*>(first()); }

  // Calls fn on every session, newest first. fn may end (and destroy) the session it is given, but no other.
  template <typename Fn>
  void for_each(Fn&& fn) {
    for (SessionLink* l = first(); l != nullptr;) {
      SessionLink* next = next_of(*l);
      fn(static_cast<Session&>(*l));
      l = next;
    }
  }
};

}  // namespace rtb
