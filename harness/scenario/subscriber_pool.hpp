// SubscriberPool: the N subscriber sessions of a run, opened in batches, spread over source addresses, and
// summed up at the end.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "harness/scenario/subscriber.hpp"
#include "harness/scenario/transport_kind.hpp"
#include "transports/common/client_session.hpp"

namespace rtb {

class Loop;

struct SubscriberPoolOptions {
  TransportKind transport = default_transport();
  ClientOptions client;                   // every subscriber's options; `source` is set per subscriber
  std::vector<sockaddr_storage> sources;  // round-robin; empty: the kernel picks
  std::uint32_t clients = 0;
  std::uint64_t seed = 1;  // short-polling first-poll phases, uniform in [0, poll interval)
};

class SubscriberPool {
 public:
  SubscriberPool(Loop& loop, SubscriberPoolOptions options, SubscriberShared& shared);
  SubscriberPool(const SubscriberPool&) = delete;
  SubscriberPool& operator=(const SubscriberPool&) = delete;
  ~SubscriberPool();

  // Creates and starts up to `n` more subscribers (never beyond `clients`); returns how many it started.
  std::size_t open(std::size_t n);
  std::size_t target() const { return options_.clients; }
  std::size_t opened() const { return subscribers_.size(); }
  bool all_opened() const { return opened() == target(); }
  // Started, neither connected nor failed yet: what sits in the server's accept queue.
  std::size_t connecting() const;

  // The connect phase is over: whoever is still connecting counts as a timeout.
  void give_up_connecting();
  // Marks every connected subscriber as counted for delivery; returns how many.
  std::size_t count_connected();
  std::size_t counted() const { return counted_; }

  // True when every counted subscriber has `events` distinct measured events (the drain can end early).
  bool all_delivered(std::uint64_t events) const;
  void stop_all();
  ClientWireCounters wire_totals() const;
  const std::vector<std::unique_ptr<Subscriber>>& subscribers() const { return subscribers_; }

 private:
  Loop& loop_;
  SubscriberPoolOptions options_;
  SubscriberShared& shared_;
  std::mt19937_64 rng_;
  std::vector<std::unique_ptr<Subscriber>> subscribers_;  // the objects never move: sessions point at them
  std::size_t counted_ = 0;
};

}  // namespace rtb
