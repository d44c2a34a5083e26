#include "harness/process/child_process.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness/process/file_tail.hpp"

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

TEST(FileTail, KeepsTheLastLinesWithoutTheTrailingNewline) {
  const std::string path = temp_path("rtb_file_tail");
  std::ofstream(path) << "one\ntwo\nthree\nfour\n\n";
  EXPECT_EQ(file_tail(path, 2), "three\nfour");
  EXPECT_EQ(file_tail(path, 10), "one\ntwo\nthree\nfour");
  std::remove(path.c_str());
  EXPECT_EQ(file_tail(path), "");  // gone: nothing to quote
}

}  // namespace
}  // namespace rtb
