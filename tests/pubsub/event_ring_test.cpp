// EventRing: the bounded, id-addressed history of one channel.
#include "transports/pubsub/event_ring.hpp"

#include <gtest/gtest.h>

#include <string>

namespace rtb::test {
namespace {

TEST(HubEventRing, StartsEmpty) {
  EventRing ring(3);
  EXPECT_TRUE(ring.empty());
  EXPECT_EQ(ring.size(), 0u);
  EXPECT_EQ(ring.capacity(), 3u);
  EXPECT_EQ(ring.first_id(), 0u);
  EXPECT_EQ(ring.last_id(), 0u);
}

TEST(HubEventRing, ZeroCapacityStillHoldsTheNewestEvent) {
  EventRing ring(0);
  EXPECT_EQ(ring.capacity(), 1u);
  ring.push(1);
  ring.push(2);
  EXPECT_EQ(ring.size(), 1u);
  EXPECT_EQ(ring.first_id(), 2u);
  EXPECT_EQ(ring.at(2).id, 2u);
}

TEST(HubEventRing, FillsThenEvictsTheOldest) {
  EventRing ring(3);
  for (std::uint64_t id = 1; id <= 3; ++id) ring.push(id).data = SharedBuffer::copy_of(std::to_string(id));
  EXPECT_EQ(ring.size(), 3u);
  EXPECT_EQ(ring.first_id(), 1u);
  EXPECT_EQ(ring.last_id(), 3u);
  for (std::uint64_t id = 4; id <= 7; ++id) ring.push(id).data = SharedBuffer::copy_of(std::to_string(id));
  EXPECT_EQ(ring.size(), 3u);
  EXPECT_EQ(ring.first_id(), 5u);
  EXPECT_EQ(ring.last_id(), 7u);
  for (std::uint64_t id = 5; id <= 7; ++id) {
    EXPECT_EQ(ring.at(id).id, id);
    EXPECT_EQ(ring.at(id).text(), std::to_string(id));
  }
}

TEST(HubEventRing, PushClearsTheEvictedEventsEncodings) {
  // A cached wire encoding belongs to one event; a slot reused for a new id must not serve the old bytes.
  EventRing ring(1);
  Event& first = ring.push(1);
  first.encoded[0] = SharedBuffer::copy_of("id: 1\n");
  Event& second = ring.push(2);
  EXPECT_EQ(&first, &second);
  EXPECT_FALSE(second.encoded[0]);
  int calls = 0;
  const SharedBuffer& enc = second.encoded_as(EncodingSlot{0}, [&](const Event& e) {
    ++calls;
    return SharedBuffer::copy_of("id: " + std::to_string(e.id) + "\n");
  });
  EXPECT_EQ(enc.view(), "id: 2\n");
  second.encoded_as(EncodingSlot{0}, [&](const Event&) {
    ++calls;
    return SharedBuffer();
  });
  EXPECT_EQ(calls, 1);  // encoded once, then shared
}

TEST(EventRing, AJumpInIdsRestartsTheWindowAtTheNewId) {
  EventRing ring(8);
  for (std::uint64_t id = 1; id <= 5; ++id) ring.push(id);
  ring.push(9);  // 6..8 lost at the broker
  EXPECT_EQ(ring.first_id(), 9u);
  EXPECT_EQ(ring.last_id(), 9u);
  EXPECT_EQ(ring.size(), 1u);
  ring.push(10);
  EXPECT_EQ(ring.first_id(), 9u);
  EXPECT_EQ(ring.at(10).id, 10u);
  EXPECT_EQ(ring.at(9).id, 9u);
}

}  // namespace
}  // namespace rtb::test
