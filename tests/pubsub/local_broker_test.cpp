// LocalBroker: its history is the hub's window, read in place (the events share the window's buffers).
#include "transports/pubsub/local_broker.hpp"

#include <gtest/gtest.h>

#include <string>

#include "transports/pubsub/hub.hpp"

namespace rtb::test {
namespace {

FetchResult fetch_now(Broker& broker, std::string_view channel, std::uint64_t after, std::size_t max) {
  FetchResult out;
  bool answered = false;
  broker.fetch(channel, after, max, [&](FetchResult r) {
    answered = true;
    out = std::move(r);
  });
  EXPECT_TRUE(answered);  // before fetch() returns
  return out;
}

TEST(LocalBroker, FetchAnswersFromTheHubsWindowAtOnce) {
  HubConfig config;
  config.history = 4;
  Hub hub(config);
  for (int i = 1; i <= 10; ++i) hub.publish("c", "e" + std::to_string(i));
  Broker& broker = hub.broker();
  EXPECT_FALSE(broker.keeps_history_beyond_window());

  FetchResult r = fetch_now(broker, "c", 2, 2);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.gap_first, 3u);  // the window starts at 7
  EXPECT_EQ(r.gap_last, 6u);
  EXPECT_EQ(r.last_id, 10u);
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events[0].id, 7u);
  EXPECT_EQ(r.events[1].text(), "e8");
  EXPECT_EQ(r.events[0].data.data(), hub.find("c")->retained(7)->data.data());  // shared, not copied

  r = fetch_now(broker, "c", 10, 8);
  EXPECT_TRUE(r.events.empty());
  EXPECT_EQ(r.gap_first, 0u);
  EXPECT_EQ(r.last_id, 10u);

  r = fetch_now(broker, "nope", 0, 8);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.last_id, 0u);
}

}  // namespace
}  // namespace rtb::test
