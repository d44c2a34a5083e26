#include "harness/scenario/load_config.hpp"

#include <gtest/gtest.h>

#include "harness/scenario/client_factory.hpp"
#include "harness/scenario/server_url.hpp"

namespace rtb {
namespace {

TEST(LoadConfig, DefaultsAreValid) {
  EXPECT_EQ(validate_load_config(LoadConfig{}), "");
}

TEST(LoadConfig, NamesTheOptionToFix) {
  auto check = [](auto mutate, std::string_view option) {
    LoadConfig c;
    mutate(c);
    std::string e = validate_load_config(c);
    EXPECT_NE(e.find(option), std::string::npos) << e;
  };
  check([](LoadConfig& c) { c.clients = 0; }, "--clients");
  check([](LoadConfig& c) { c.rate = -1; }, "--rate");
  check([](LoadConfig& c) { c.payload_bytes = 0; }, "--payload-bytes");
  check([](LoadConfig& c) { c.channel = "a b"; }, "--channel");
  check([](LoadConfig& c) { c.connect_batch = 5000; }, "somaxconn");
  check([](LoadConfig& c) { c.duration_s = 0; }, "--duration-s");
  check(
      [](LoadConfig& c) {
        c.transport = *parse_transport("sse");
        c.connection_per_request = true;
      },
      "--connection-per-request");
}

TEST(LoadConfig, EveryTableTransportIsValidByDefault) {
  for (auto kind : all_transports()) {
    LoadConfig c;
    c.transport = kind;
    EXPECT_EQ(validate_load_config(c), "") << transport_name(kind);
  }
}

TEST(LoadConfig, MaxInFlightDefaultsToTenSecondsOfRate) {
  LoadConfig c;
  c.rate = 50;
  EXPECT_EQ(c.effective_max_in_flight(), 1000u);
  c.rate = 20000;
  EXPECT_EQ(c.effective_max_in_flight(), 200000u);
  c.max_in_flight = 7;
  EXPECT_EQ(c.effective_max_in_flight(), 7u);
}

TEST(LoadConfig, SourcesAsListOrCount) {
  std::string error;
  auto list = parse_sources("127.0.0.2,127.0.0.3", &error);
  ASSERT_TRUE(list) << error;
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ(format_address((*list)[1]), "127.0.0.3");
  auto count = parse_sources("3", &error);
  ASSERT_TRUE(count) << error;
  ASSERT_EQ(count->size(), 4u);
  EXPECT_EQ(format_address((*count)[0]), "127.0.0.1");
  EXPECT_EQ(format_address((*count)[3]), "127.0.0.4");
  EXPECT_FALSE(parse_sources("127.0.0.2,bogus", &error));
  EXPECT_NE(error.find("bogus"), std::string::npos);
  EXPECT_FALSE(parse_sources("1000", &error));
}

TEST(LoadConfig, TransportNames) {
  for (auto kind :
       {*parse_transport("poll"), *parse_transport("longpoll"), *parse_transport("sse"), *parse_transport("ws")}) {
    EXPECT_EQ(parse_transport(transport_name(kind)), kind);
  }
  EXPECT_FALSE(parse_transport("comet"));
}

}  // namespace
}  // namespace rtb
