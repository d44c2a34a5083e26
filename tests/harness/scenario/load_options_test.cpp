#include "harness/scenario/load_options.hpp"

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <array>
#include <set>
#include <string>
#include <vector>

#include "harness/scenario/load_command.hpp"
#include "harness/scenario/load_config.hpp"
#include "harness/scenario/server_url.hpp"

namespace rtb {
namespace {

// Parses `args` as `rtbench load` would; "" on success, else CLI11's message.
std::string parse_load(std::vector<std::string> args, LoadConfig& config) {
  CLI::App app;
  add_load_options(app, config);
  args.insert(args.begin(), "rtbench-load");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    return e.what();
  }
  return {};
}

LoadConfig unusual_config() {
  LoadConfig c;
  c.url = "http://127.0.0.1:9";
  c.transport = *parse_transport("sse");
  c.clients = 1234;
  c.rate = 2.5;
  c.payload_bytes = 77;
  c.channel = "a.b_c-9";
  c.headers.kind = HeaderProfileKind::kBrowser;
  c.poll_interval_ms = 250;
  c.longpoll_timeout_ms = 999;
  c.request_timeout_ms = 1111;
  c.seed = 42;
  c.sources = {*parse_ip_literal("127.0.0.2"), *parse_ip_literal("127.0.0.3")};
  c.connect_rate = 123.5;
  c.connect_batch = 17;
  c.connect_timeout_s = 9;
  c.warmup_s = 0.5;
  c.duration_s = 3;
  c.drain_s = 0;
  c.publish_via = PublishVia::kHttp;
  c.max_in_flight = 55;
  c.late_ms = 4;
  c.server_pid = 77;
  c.max_errors = 3;
  c.max_p99_us = 1500;
  c.max_lost = 0;
  return c;
}

// Every option's text, the identity of a config as far as the options can tell.
std::vector<std::string> texts(const LoadConfig& c) {
  std::vector<std::string> out;
  for (const auto& o : load_option_table()) out.push_back(o.long_name() + "=" + o.get(c));
  return out;
}

TEST(LoadOptions, NamesAreUniqueAndJsonNamesFollowTheLongNames) {
  std::set<std::string> names;
  for (const auto& o : load_option_table()) {
    EXPECT_TRUE(names.insert(o.json_name()).second) << o.json_name();
    std::string dashed = o.json_name();
    for (char& ch : dashed) ch = ch == '_' ? '-' : ch;
    EXPECT_EQ("--" + dashed, o.long_name());
    EXPECT_FALSE(o.range.empty()) << o.long_name() << " states no range";
    EXPECT_EQ(find_load_option(o.long_name()), &o);
    EXPECT_EQ(find_load_option(o.json_name()), &o);
  }
}

TEST(LoadOptions, ArgvParsesBackToTheSameConfig) {
  const LoadConfig c = unusual_config();
  std::vector<std::string> args = load_option_argv(c, LoadOptionScope::kLoad);
  for (auto& a : load_option_argv(c, LoadOptionScope::kRun)) args.push_back(a);
  LoadConfig back;
  ASSERT_EQ(parse_load(args, back), "");
  EXPECT_EQ(texts(back), texts(c));
}

TEST(LoadOptions, ArgvHoldsOnlyWhatDiffersFromTheDefaults) {
  EXPECT_TRUE(load_option_argv(LoadConfig{}, LoadOptionScope::kLoad).empty());
  LoadConfig c;
  c.clients = 5;
  EXPECT_EQ(load_option_argv(c, LoadOptionScope::kLoad), (std::vector<std::string>{"--clients", "5"}));
}

TEST(LoadOptions, JsonRoundTripsAndIsTyped) {
  const LoadConfig c = unusual_config();
  Json load = load_options_json(c, LoadOptionScope::kLoad);
  EXPECT_EQ(load["clients"], 1234);
  EXPECT_EQ(load["rate"], 2.5);
  EXPECT_EQ(load["transport"], "sse");
  EXPECT_EQ(load["connection_per_request"], false);
  EXPECT_EQ(load["sources"], Json::array({"127.0.0.2", "127.0.0.3"}));
  Json run = load_options_json(c, LoadOptionScope::kRun);
  EXPECT_EQ(run["max_p99_us"], 1500.0);
  EXPECT_EQ(load_options_json(LoadConfig{}, LoadOptionScope::kRun)["max_lost"], nullptr);

  LoadConfig back;
  std::string error;
  const std::array scopes = {LoadOptionScope::kLoad, LoadOptionScope::kRun};
  ASSERT_TRUE(apply_load_options_json(load, back, scopes, &error)) << error;
  ASSERT_TRUE(apply_load_options_json(run, back, scopes, &error)) << error;
  EXPECT_EQ(texts(back), texts(c));
}

TEST(LoadOptions, JsonRefusesUnknownMembersRunOptionsAndWrongTypes) {
  LoadConfig c;
  std::string error;
  const std::array load_only = {LoadOptionScope::kLoad};
  EXPECT_FALSE(apply_load_options_json(Json{{"client", 5}}, c, load_only, &error));
  EXPECT_NE(error.find("\"client\" is not a load option"), std::string::npos) << error;
  EXPECT_NE(error.find("clients"), std::string::npos) << error;
  EXPECT_FALSE(apply_load_options_json(Json{{"url", "http://x"}}, c, load_only, &error));
  EXPECT_NE(error.find("belongs to one run"), std::string::npos) << error;
  EXPECT_FALSE(apply_load_options_json(Json{{"clients", "many"}}, c, load_only, &error));
  EXPECT_NE(error.find("wrong JSON type"), std::string::npos) << error;
  EXPECT_FALSE(apply_load_options_json(Json{{"clients", 0}}, c, load_only, &error));
  EXPECT_NE(error.find("1-1,000,000"), std::string::npos) << error;
  EXPECT_TRUE(apply_load_options_json(Json{{"duration_s", "2m"}}, c, load_only, &error)) << error;
  EXPECT_EQ(c.duration_s, 120);
}

TEST(LoadOptions, RangeErrorsSayTheRange) {
  LoadConfig c;
  std::string e = parse_load({"-c", "-3"}, c);
  EXPECT_NE(e.find("--clients -3"), std::string::npos) << e;
  EXPECT_NE(e.find("1-1,000,000"), std::string::npos) << e;
  e = parse_load({"-r", "-5"}, c);
  EXPECT_NE(e.find("0-10,000,000"), std::string::npos) << e;
  e = parse_load({"--connect-batch", "5000"}, c);
  EXPECT_NE(e.find("somaxconn"), std::string::npos) << e;
  e = parse_load({"--duration", "0"}, c);
  EXPECT_NE(e.find("--duration-s 0"), std::string::npos) << e;
  EXPECT_NE(e.find("above 0"), std::string::npos) << e;
}

TEST(LoadOptions, DurationsTakeUnitsLikeWrkAndK6) {
  EXPECT_EQ(parse_seconds("10"), 10.0);
  EXPECT_EQ(parse_seconds("10s"), 10.0);
  EXPECT_EQ(parse_seconds("1.5s"), 1.5);
  EXPECT_EQ(parse_seconds("500ms"), 0.5);
  EXPECT_EQ(parse_seconds("2m"), 120.0);
  EXPECT_EQ(parse_seconds("1h"), 3600.0);
  EXPECT_FALSE(parse_seconds("10x"));
  EXPECT_FALSE(parse_seconds("s"));
  EXPECT_FALSE(parse_seconds(""));
  LoadConfig c;
  ASSERT_EQ(parse_load({"-d", "1m", "--warmup-s", "250ms"}, c), "");
  EXPECT_EQ(c.duration_s, 60);
  EXPECT_EQ(c.warmup_s, 0.25);
  ASSERT_EQ(parse_load({"--duration", "10s"}, c), "");  // wrk's and k6's spelling is accepted too
  EXPECT_EQ(c.duration_s, 10);
}

TEST(LoadOptions, ChannelFollowsTheServersRule) {
  LoadConfig c;
  EXPECT_EQ(parse_load({"--channel", std::string(64, 'a')}, c), "");
  EXPECT_NE(parse_load({"--channel", std::string(65, 'a')}, c), "");
  std::string e = parse_load({"--channel", "a~b"}, c);
  EXPECT_NE(e.find("1-64 characters of A-Z a-z 0-9 . _ -"), std::string::npos) << e;
  c.channel = "has space";
  EXPECT_NE(validate_load_config(c).find("--channel"), std::string::npos);
}

TEST(LoadOptions, LateThresholdIsRelativeToTheInterval) {
  LoadConfig c;
  c.rate = 1;
  EXPECT_EQ(c.effective_late_ms(), 100);  // a tenth of 1 s
  c.rate = 1000;
  EXPECT_EQ(c.effective_late_ms(), 2);  // never below 2 ms
  c.late_ms = 7;
  EXPECT_EQ(c.effective_late_ms(), 7);
}

TEST(LoadOptions, LoadCommandHasEveryOptionOfTheTable) {
  CLI::App app;
  LoadCommandOptions o;
  CLI::App* load = add_load_command(app, o);
  for (const auto& opt : load_option_table()) {
    EXPECT_NE(load->get_option_no_throw(opt.long_name()), nullptr) << opt.long_name();
  }
}

}  // namespace
}  // namespace rtb
