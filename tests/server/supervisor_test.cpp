// `rtbench serve --workers N` as a user runs it: the real binary, a real redis-server (started here on a free
// port, stopped by PID). Workers share the port and the channels, a killed worker is restarted and counted,
// nothing published is lost to a client resuming on whichever worker it lands, SIGINT ends everything with
// status 0, and what cannot be served is refused with status 2 and a sentence. Skipped without redis-server.
#include <gtest/gtest.h>
#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>

#include "harness/process/child_process.hpp"
#include "harness/process/loopback_port.hpp"
#include "harness/process/redis_server_process.hpp"
#include "harness/process/temp_dir.hpp"
#include "tests/server/resumer.hpp"

namespace rtb::test {
namespace {

std::string serve_binary() {
  const char* dir = std::getenv("RTB_BINARY_DIR");
  return std::string(dir != nullptr ? dir : RTB_SERVER_TEST_BINARY_DIR) + "/harness/rtbench";
}

std::string whole_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class ServeWorkers : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(serve_binary())) << serve_binary() << " is not built";
    std::string why;
    auto dir = TempDir::make("rtb-workers-test", &why);
    ASSERT_TRUE(dir) << why;
    dir_ = std::make_unique<TempDir>(std::move(*dir));
  }

  // Runs `rtbench serve ARGS` to its end (bounded); its exit status, its stderr in *err.
  int serve_refused(const std::vector<std::string>& args, std::string* err) {
    const std::string log = dir_->path() + "/refused.log";
    std::filesystem::remove(log);
    std::vector<std::string> all{"serve"};
    all.insert(all.end(), args.begin(), args.end());
    std::string why;
    auto child = ChildProcess::spawn({serve_binary(), all, log}, &why);
    EXPECT_TRUE(child) << why;
    if (!child) return -1;
    EXPECT_TRUE(child->wait_for(std::chrono::seconds(10))) << "still running: serve " << args.front();
    *err = whole_file(log);
    return child->exit_code().value_or(child->stop());
  }

  // Starts `rtbench serve --workers 2 --broker ...`; the port once it says it listens.
  int start_workers(const std::string& broker) {
    log_ = dir_->path() + "/serve.log";
    std::string why;
    auto child = ChildProcess::spawn(
        {serve_binary(),
         {"serve", "--port", "0", "--workers", "2", "--broker", broker, "--history", "64"},
         log_},
        &why);
    EXPECT_TRUE(child) << why;
    if (!child) return -1;
    server_ = std::make_unique<ChildProcess>(std::move(*child));
    constexpr std::string_view kLine = "listening on http://127.0.0.1:";
    for (int i = 0; i < 1000; ++i) {
      const std::string text = whole_file(log_);
      if (const std::size_t at = text.find(kLine);
          at != std::string::npos && text.find('\n', at) != std::string::npos)
        return std::atoi(text.c_str() + at + kLine.size());
      if (!server_->running()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "serve did not say it listens:\n" << whole_file(log_);
    return -1;
  }

  static nlohmann::json stats(int port) {
    auto r = http_get(port, "/stats");
    if (!r || r->status != 200) return {};
    return nlohmann::json::parse(r->body, nullptr, false);
  }

  std::unique_ptr<TempDir> dir_;
  std::string log_;
  std::unique_ptr<ChildProcess> server_;
};

TEST_F(ServeWorkers, RefusesWhatItCannotServeWithStatus2AndASentence) {
  std::string err;
  EXPECT_EQ(serve_refused({"--workers", "0", "--port", "0"}, &err), 2);
  EXPECT_NE(err.find("--workers"), std::string::npos) << err;
  EXPECT_EQ(serve_refused({"--workers", "2", "--port", "0"}, &err), 2);
  EXPECT_NE(err.find("--workers 2 needs a shared broker: add --broker redis://HOST:PORT"), std::string::npos)
      << err;
  EXPECT_EQ(serve_refused({"--broker", "http://127.0.0.1:6379", "--port", "0"}, &err), 2);
  EXPECT_NE(err.find("not a redis:// URL"), std::string::npos) << err;
  std::string why;
  const int nothing_there = pick_free_port(&why);
  ASSERT_GT(nothing_there, 0) << why;
  EXPECT_EQ(serve_refused({"--broker", "redis://127.0.0.1:" + std::to_string(nothing_there), "--workers", "2",
                           "--port", "0"},
                          &err),
            2);
  EXPECT_NE(err.find("cannot reach Redis at redis://127.0.0.1:" + std::to_string(nothing_there)),
            std::string::npos)
      << err;
  EXPECT_EQ(err.find("listening"), std::string::npos) << "nothing half started: " << err;
}

TEST_F(ServeWorkers, ShareThePortAndChannelsAndAKilledWorkerComesBackLosingNothing) {
  if (!RedisServerProcess::installed())
    GTEST_SKIP() << "redis-server is not installed (scripts/install-deps.sh)";
  std::string why;
  auto redis = RedisServerProcess::start(dir_->path(), &why);
  ASSERT_TRUE(redis) << why;
  const int port = start_workers(redis->url("workers"));
  ASSERT_GT(port, 0);

  // Connections spread over both workers (the kernel hashes each to one listener: 16 all on one is 2^-15).
  std::vector<std::unique_ptr<Resumer>> live;
  for (int i = 0; i < 16; ++i) {
    live.push_back(std::make_unique<Resumer>(Via::kSse, port, 0));
    live.back()->start();
  }
  // Another worker's figures in /stats are up to 250 ms old (each posts its own that often).
  nlohmann::json s;
  for (int i = 0; i < 500; ++i) {
    s = stats(port);
    if (s.is_object() && s["connections"]["sse"] == 16) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(s.is_object());
  EXPECT_EQ(s["connections"]["sse"], 16) << s.dump();
  ASSERT_EQ(s["workers"].size(), 2u);
  for (const auto& w : s["workers"]) {
    EXPECT_GT(w["stats"]["connections"]["sse"].get<int>(), 0) << s.dump();
    EXPECT_EQ(w["restarts"], 0);
  }

  // One numbering whichever worker takes the publish.
  for (std::uint64_t id = 1; id <= 5; ++id) ASSERT_EQ(publish(port, "c", history_text(id)), id);
  for (auto& r : live) EXPECT_EQ(r->read_until(5).size(), 5u);

  const pid_t victim = s["workers"][0]["pid"].get<pid_t>();
  ASSERT_EQ(::kill(victim, SIGKILL), 0);
  bool restarted = false;
  for (int i = 0; i < 500 && !restarted; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    nlohmann::json now = stats(port);
    restarted = now.is_object() && now["workers"][0]["restarts"] == 1 && now["workers"][0]["pid"] != victim &&
                now["workers_reporting"] == 2;
  }
  ASSERT_TRUE(restarted) << stats(port).dump() << "\n" << whole_file(log_);
  EXPECT_NE(whole_file(log_).find("worker 0 (pid " + std::to_string(victim) + ") killed by signal 9"),
            std::string::npos);

  for (std::uint64_t id = 6; id <= 25; ++id) ASSERT_EQ(publish(port, "c", history_text(id)), id);
  // Clients of the dead worker come back with their cursor on whichever worker takes them: 6..25 from Redis
  // (beyond a fresh worker's empty window), each once, in order.
  for (int i = 0; i < 8; ++i) {
    Resumer again(Via::kSse, port, 5);
    again.start();
    const auto& got = again.read_until(25);
    ASSERT_EQ(got.size(), 20u);
    EXPECT_EQ(got.front(), "6");
    EXPECT_EQ(got.back(), "25");
  }
  live.clear();

  ASSERT_EQ(::kill(server_->pid(), SIGINT), 0);
  ASSERT_TRUE(server_->wait_for(std::chrono::seconds(15))) << whole_file(log_);
  EXPECT_EQ(server_->exit_code(), 0) << whole_file(log_);
  EXPECT_NE(whole_file(log_).find("rtbench serve: stopped"), std::string::npos);
}

}  // namespace
}  // namespace rtb::test
