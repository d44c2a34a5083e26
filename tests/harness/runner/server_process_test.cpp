#include "harness/runner/server_process.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "harness/runner/pin_plan.hpp"
#include "tests/harness/runner/test_paths.hpp"

namespace rtb {
namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / (name + "_" + std::to_string(::getpid()))).string();
}

TEST(PinPlan, ServerOnTheFirstCpuGeneratorOnTheSecond) {
  PinPlan two = plan_pinning({0, 1});
  EXPECT_TRUE(two.pinned());
  EXPECT_EQ(two.server_cpu, 0);
  EXPECT_EQ(two.generator_cpu, 1);
  PinPlan one = plan_pinning({3});
  EXPECT_FALSE(one.pinned());
  EXPECT_NE(one.note.find("not pinned"), std::string::npos);
  EXPECT_FALSE(plan_pinning({}).pinned());
}

TEST(ParseListeningLine, FindsTheUrlAndPortOnceTheLineIsComplete) {
  auto l = parse_listening_line("noise\nrtbench serve: listening on http://127.0.0.1:41234\n");
  ASSERT_TRUE(l);
  EXPECT_EQ(l->first, "http://127.0.0.1:41234");
  EXPECT_EQ(l->second, 41234);
  EXPECT_FALSE(parse_listening_line("rtbench serve: listening on http://127.0.0.1:412"));  // no newline yet
  EXPECT_FALSE(parse_listening_line("rtbench serve: listening on http://127.0.0.1:x\n"));
  EXPECT_FALSE(parse_listening_line(""));
  auto tls = parse_listening_line("rtbench serve: listening on https://127.0.0.1:443\n");
  ASSERT_TRUE(tls);
  EXPECT_EQ(tls->first, "https://127.0.0.1:443");
  EXPECT_EQ(tls->second, 443);
  EXPECT_FALSE(parse_listening_line("rtbench serve: listening on ftp://127.0.0.1:21\n"));
}

TEST(ServerProcess, SaysWhyWhenTheServerEndsBeforeListening) {
  const std::string log = temp_path("rtb_server_log");
  std::string error;
  auto s = ServerProcess::start("/bin/sh", {"-c", "echo 'cannot listen: address in use' >&2; exit 1"}, log,
                                -1, &error);
  EXPECT_FALSE(s);
  EXPECT_NE(error.find("ended before listening (exit 1)"), std::string::npos) << error;
  EXPECT_NE(error.find("address in use"), std::string::npos) << error;
  std::remove(log.c_str());
}

TEST(ServerProcess, StartsARealServerAndStopsItCleanly) {
  const std::string binary = test::rtbench_binary();
  ASSERT_TRUE(std::filesystem::exists(binary)) << binary << " is not built";
  const std::string log = temp_path("rtb_serve_log");
  std::string error;
  auto s = ServerProcess::start(binary, {"serve", "--port", "0"}, log, -1, &error);
  ASSERT_TRUE(s) << error;
  EXPECT_GT(s->port(), 0);
  EXPECT_EQ(s->url(), "http://127.0.0.1:" + std::to_string(s->port()));
  EXPECT_EQ(s->stop(), 0);  // SIGINT: a graceful shutdown
  std::remove(log.c_str());
}

}  // namespace
}  // namespace rtb
