#include "harness/scenario/subscriber_pool.hpp"

#include "harness/scenario/client_factory.hpp"

namespace rtb {

SubscriberPool::SubscriberPool(Loop& loop, SubscriberPoolOptions options, SubscriberShared& shared)
    : loop_(loop), options_(std::move(options)), shared_(shared), rng_(options_.seed) {
  subscribers_.reserve(options_.clients);
}

SubscriberPool::~SubscriberPool() {
  stop_all();
}

std::size_t SubscriberPool::open(std::size_t n) {
  const bool per_request = polls_on_interval(options_.transport) && options_.client.connection_per_request;
  std::uniform_int_distribution<std::uint32_t> phase(0, options_.client.poll_interval_ms - 1);
  std::size_t started = 0;
  while (started < n && subscribers_.size() < options_.clients) {
    ClientOptions client = options_.client;
    if (!options_.sources.empty())
      client.source = options_.sources[subscribers_.size() % options_.sources.size()];
    // Drawn for every transport so a seed gives the same phases whichever transport runs.
    const std::uint32_t first_delay = phase(rng_);
    auto subscriber = std::make_unique<Subscriber>(shared_, client.since);
    auto session = make_client(options_.transport, loop_, std::move(client), *subscriber, first_delay);
    if (!session) break;  // validate_load_config() refuses unavailable transports before we get here
    subscriber->start(std::move(session), per_request);
    subscribers_.push_back(std::move(subscriber));
    ++started;
  }
  return started;
}

std::size_t SubscriberPool::connecting() const {
  const std::size_t settled = static_cast<std::size_t>(shared_.ready + shared_.failed);
  return opened() > settled ? opened() - settled : 0;
}

void SubscriberPool::give_up_connecting() {
  for (auto& s : subscribers_) s->give_up_connecting();
}

std::size_t SubscriberPool::count_connected() {
  counted_ = 0;
  for (auto& s : subscribers_) {
    if (s->state() != Subscriber::State::kReady) continue;
    s->count_deliveries();
    ++counted_;
  }
  return counted_;
}

bool SubscriberPool::all_delivered(std::uint64_t events) const {
  for (const auto& s : subscribers_) {
    if (s->counted() && s->measured().delivered() < events) return false;
  }
  return true;
}

void SubscriberPool::stop_all() {
  for (auto& s : subscribers_) s->stop();
}

ClientWireCounters SubscriberPool::wire_totals() const {
  ClientWireCounters sum;
  for (const auto& s : subscribers_) {
    if (s->session() != nullptr) sum.add(s->session()->counters());
  }
  return sum;
}

}  // namespace rtb
