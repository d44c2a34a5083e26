#include "harness/runner/child_process.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness/runner/pin_plan.hpp"
#include "harness/runner/server_process.hpp"
#include "tests/harness/runner/test_paths.hpp"

namespace rtb {
namespace {

using namespace std::chrono_literals;

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / (name + "_" + std::to_string(::getpid()))).string();
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(ChildProcess, ReportsTheExitCode) {
  std::string error;
  auto c = ChildProcess::spawn({"/bin/sh", {"-c", "exit 3"}, "", -1, true}, &error);
  ASSERT_TRUE(c) << error;
  EXPECT_TRUE(c->wait_for(5s));
  EXPECT_EQ(c->exit_code(), 3);
  EXPECT_EQ(c->describe_exit(), "exit 3");
}

TEST(ChildProcess, ReportsAnExecFailureInsteadOfASilent127) {
  std::string error;
  auto c = ChildProcess::spawn({"/nonexistent/rtbench", {}, "", -1, true}, &error);
  EXPECT_FALSE(c);
  EXPECT_NE(error.find("cannot start /nonexistent/rtbench"), std::string::npos) << error;
}

TEST(ChildProcess, StopSendsSigintThenSigkillAfterTheGrace) {
  std::string error;
  // Ignores SIGINT, so only the SIGKILL after the grace ends it.
  auto c = ChildProcess::spawn({"/bin/sh", {"-c", "trap '' INT; while :; do sleep 0.05; done"}, "", -1, true},
                               &error);
  ASSERT_TRUE(c) << error;
  std::this_thread::sleep_for(100ms);
  EXPECT_TRUE(c->running());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(c->stop(300ms), 128 + SIGKILL);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 250ms);
  EXPECT_FALSE(c->running());

  auto polite = ChildProcess::spawn({"/bin/sleep", {"30"}, "", -1, true}, &error);
  ASSERT_TRUE(polite) << error;
  EXPECT_EQ(polite->stop(3s), 128 + SIGINT);
}

TEST(ChildProcess, TheDestructorStopsAProcessStillRunning) {
  std::string error;
  pid_t pid = 0;
  {
    auto c = ChildProcess::spawn({"/bin/sleep", {"30"}, "", -1, true}, &error);
    ASSERT_TRUE(c) << error;
    pid = c->pid();
  }
  EXPECT_NE(::kill(pid, 0), 0);  // gone and reaped
}

TEST(ChildProcess, WritesOutputToTheFileAndPinsToTheCpu) {
  auto cpus = allowed_cpus();
  ASSERT_FALSE(cpus.empty());
  const int cpu = cpus.back();
  const std::string out = temp_path("rtb_child_out");
  std::remove(out.c_str());
  std::string error;
  auto c = ChildProcess::spawn(
      {"/bin/sh", {"-c", "grep Cpus_allowed_list /proc/self/status; echo err >&2"}, out, cpu, true}, &error);
  ASSERT_TRUE(c) << error;
  ASSERT_TRUE(c->wait_for(5s));
  std::string text = slurp(out);
  EXPECT_NE(text.find("Cpus_allowed_list:\t" + std::to_string(cpu) + "\n"), std::string::npos) << text;
  EXPECT_NE(text.find("err"), std::string::npos);
  std::remove(out.c_str());
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
