// SessionRegistry: counts into TransportStats, sessions leave when destroyed, a walk survives the session it
// is on ending, and a registry that goes first tells every session (detach) instead of leaving it dangling.
#include "transports/common/session_registry.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace rtb::test {
namespace {

struct FakeSession final : SessionLink {
  explicit FakeSession(int n) : id(n) {}
  void detach() { detached = true; }
  int id;
  bool detached = false;
};

TEST(SessionRegistry, CountsOpenAndTotalSessions) {
  TransportStats stats;
  SessionRegistry<FakeSession> registry(&stats);
  {
    FakeSession a(1);
    FakeSession b(2);
    registry.add(a);
    registry.add(b);
    EXPECT_EQ(stats.sessions_open, 2u);
    EXPECT_EQ(stats.sessions_total, 2u);
    EXPECT_EQ(registry.size(), 2u);
    EXPECT_TRUE(a.registered());
  }
  EXPECT_EQ(stats.sessions_open, 0u);
  EXPECT_EQ(stats.sessions_total, 2u);
  EXPECT_TRUE(registry.empty());
}

TEST(SessionRegistry, CountsNothingWithoutStats) {
  SessionRegistry<FakeSession> registry;
  FakeSession a(1);
  registry.add(a);
  EXPECT_EQ(registry.size(), 1u);
}

TEST(SessionRegistry, WalksNewestFirstAndSurvivesTheSessionEnding) {
  TransportStats stats;
  SessionRegistry<FakeSession> registry(&stats);
  std::vector<std::unique_ptr<FakeSession>> sessions;
  for (int i = 0; i < 4; ++i) {
    sessions.push_back(std::make_unique<FakeSession>(i));
    registry.add(*sessions.back());
  }
  std::vector<int> seen;
  registry.for_each([&](FakeSession& s) {
    seen.push_back(s.id);
    sessions[static_cast<std::size_t>(s.id)].reset();  // ends it, as an answer destroys a parked poll
  });
  EXPECT_EQ(seen, (std::vector<int>{3, 2, 1, 0}));
  EXPECT_TRUE(registry.empty());
  EXPECT_EQ(stats.sessions_open, 0u);
}

TEST(SessionRegistry, ARegistryThatGoesFirstDetachesItsSessions) {
  TransportStats stats;
  FakeSession a(1);
  {
    SessionRegistry<FakeSession> registry(&stats);
    registry.add(a);
  }
  EXPECT_TRUE(a.detached);
  EXPECT_FALSE(a.registered());  // its destructor no longer reaches for the registry
}

}  // namespace
}  // namespace rtb::test
