// The Redis broker with a real redis-server (started here on a free port, without persistence, stopped by
// PID): two servers sharing it number one channel's events consecutively, a client resuming on either gets
// every event Redis retains exactly once (and a gap for what it trimmed), and a Redis killed mid-broadcast
// costs publishes a 503, never a subscriber: they stay connected and, once Redis is back, get every event,
// with ids nobody can deliver named as a gap. Skipped, saying what to install, without redis-server.
#include <hiredis/hiredis.h>

#include <filesystem>
#include <memory>
#include <string>

#include "harness/process/redis_server_process.hpp"
#include "harness/process/temp_dir.hpp"
#include "tests/server/resumer.hpp"
#include "transports/redis/redis_broker.hpp"
#include "transports/server/worker.hpp"

namespace rtb::test {
namespace {

constexpr std::size_t kRedisTestWindow = 16;  // each server's hub keeps this many
constexpr std::size_t kRedisKeeps = 40;       // the stream keeps this many (--history of the broker)
constexpr const char* kRedisTestPrefix = "rtbtest";

// "<first>".."<last>", each as Resumer writes an event down.
std::vector<std::string> event_ids(std::uint64_t first, std::uint64_t last) {
  std::vector<std::string> out;
  for (std::uint64_t id = first; id <= last; ++id) out.push_back(std::to_string(id));
  return out;
}

std::vector<std::string> operator+(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

class RedisServers : public testing::Test {
 protected:
  void SetUp() override {
    if (!RedisServerProcess::installed())
      GTEST_SKIP() << "redis-server is not installed (scripts/install-deps.sh)";
    std::string why;
    auto dir = TempDir::make("rtb-redis-test", &why);
    ASSERT_TRUE(dir) << why;
    dir_ = std::make_unique<TempDir>(std::move(*dir));
    auto redis = RedisServerProcess::start(dir_->path(), &why);
    ASSERT_TRUE(redis) << why;
    redis_ = std::make_unique<RedisServerProcess>(std::move(*redis));
  }

  // A server on the shared Redis, once both of its links are up.
  std::unique_ptr<TestServer> serve() {
    ServerConfig config = TestServer::default_config();
    config.hub.history = kRedisTestWindow;
    config.hub.fetch_timeout_ms = 2000;
    std::string why;
    const RedisUrl url = *parse_redis_url(redis_->url(kRedisTestPrefix), &why);
    auto server = std::make_unique<TestServer>(config, [url](Loop& loop) {
      auto broker = std::make_unique<RedisBroker>(loop, RedisBroker::Options{url, kRedisKeeps, 1000});
      broker->start();
      return broker;
    });
    EXPECT_TRUE(broker_up(server->port()));
    return server;
  }

  static bool broker_up(int port) {
    for (int i = 0; i < 500; ++i) {
      if (get_stats(port)["broker.up"] == "true") return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

  // A command on a connection of the test's own (hiredis, blocking); the reply's integer or -1.
  long long redis_command(const std::string& command) {
    std::unique_ptr<redisContext, void (*)(redisContext*)> c(redisConnect("127.0.0.1", redis_->port()),
                                                             redisFree);
    if (!c || c->err != 0) return -1;
    auto* reply = static_cast<redisReply*>(redisCommand(c.get(), command.c_str()));
    if (reply == nullptr) return -1;
    const long long value = reply->type == REDIS_REPLY_INTEGER ? reply->integer : 0;
    freeReplyObject(reply);
    return value;
  }

  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<RedisServerProcess> redis_;
};

TEST_F(RedisServers, TwoServersNumberOneChannelConsecutively) {
  auto a = serve();
  auto b = serve();
  Resumer on_b(Via::kSse, b->port(), 0);
  on_b.start();
  for (std::uint64_t id = 1; id <= 20; ++id) {
    ASSERT_EQ(publish((id % 2 == 1 ? a : b)->port(), "c", history_text(id)), id);
  }
  const auto& got = on_b.read_until(20);
  EXPECT_EQ(got, event_ids(1, 20));
  EXPECT_EQ(get_stats(b->port())["broker.ids_lost"], "0");
}

TEST_F(RedisServers, StartsWithoutRedisAnsweringPublishWith503UntilItComes) {
  auto a = serve();
  redis_->kill();
  auto r = http_post(a->port(), "/publish?channel=c", "event 1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_NE(r->body.find("broker unavailable: " + redis_->url(kRedisTestPrefix)), std::string::npos)
      << r->body;
  EXPECT_EQ(r->body.find('\n'), r->body.size() - 1) << "one line: " << r->body;
  std::string why;
  ASSERT_TRUE(redis_->restart(&why)) << why;
  ASSERT_TRUE(broker_up(a->port()));
  EXPECT_EQ(publish(a->port(), "c", history_text(1)), 1u);
}

// A resume point beyond the newest id means "from now on" (the wire contract), also when the window is empty
// and Redis is asked: the client waits for the next event instead of for an id that will come much later.
// "Now" is when Redis answers, which a publish racing the subscription may precede: events are published
// until one arrives (bounded), and what arrives must be consecutive and whole.
TEST_F(RedisServers, ASinceBeyondTheNewestWaitsForTheNextEvent) {
  auto a = serve();
  auto b = serve();
  ASSERT_EQ(publish(a->port(), "c", history_text(1)), 1u);
  BlockingClient client(b->port());
  auto head = open_stream(client, "/sse?channel=c&since=1000000");
  ASSERT_TRUE(head && head->status == 200);
  ASSERT_TRUE(wait_for_stat(b->port(), "transports.sse.sessions_open", 1));
  std::uint64_t next = 2;
  for (; next <= 50 && client.buffer().find("data: ") == std::string::npos; ++next) {
    ASSERT_EQ(publish(a->port(), "c", history_text(next)), next);
    client.read_until("data: ", std::chrono::milliseconds(100));
  }
  const std::size_t at = client.buffer().find("id: ");
  ASSERT_NE(at, std::string::npos) << "no event after " << next - 1 << " published: " << client.buffer();
  const std::uint64_t first = std::stoull(client.buffer().substr(at + 4));
  EXPECT_LT(first, next);
  EXPECT_TRUE(client.read_until("id: " + std::to_string(next - 1) + "\n"));
  std::string want;
  for (std::uint64_t id = first; id < next; ++id)
    want += "id: " + std::to_string(id) + "\ndata: " + history_text(id) + "\n\n";
  EXPECT_EQ(client.buffer().substr(at, want.size()), want);
}

class RedisResume : public RedisServers, public testing::WithParamInterface<Via> {};

TEST_P(RedisResume, EitherServerReplaysWhatRedisKeepsExactlyOnce) {
  auto a = serve();
  auto b = serve();
  for (std::uint64_t id = 1; id <= 60; ++id) ASSERT_EQ(publish(a->port(), "c", history_text(id)), id);
  // b's window holds 45..60 (it heard every event), Redis 21..60: 31..44 come from Redis.
  Resumer recent(GetParam(), b->port(), 30);
  recent.start();
  EXPECT_EQ(recent.read_until(60), event_ids(31, 60));
  // Trimmed from Redis as well: named, then the rest.
  Resumer old(GetParam(), b->port(), 5);
  old.start();
  EXPECT_EQ(old.read_until(60), std::vector<std::string>{"gap 6-20"} + event_ids(21, 60));
}

// Killed mid-broadcast and restarted empty: publishes meanwhile get 503, subscribers stay connected and get
// every event published before and after; ids Redis lost with its memory are named as a gap.
TEST_P(RedisResume, AKilledRedisCostsPublishesA503AndSubscribersNothingSilently) {
  auto a = serve();
  auto b = serve();
  Resumer client(GetParam(), b->port(), 0);
  client.start();
  for (std::uint64_t id = 1; id <= 10; ++id) ASSERT_EQ(publish(a->port(), "c", history_text(id)), id);
  client.read_until(10);

  redis_->kill();
  auto refused = http_post(a->port(), "/publish?channel=c", "event x");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);

  std::string why;
  ASSERT_TRUE(redis_->restart(&why)) << why;
  ASSERT_TRUE(broker_up(a->port()));
  ASSERT_TRUE(broker_up(b->port()));
  // The servers put back the newest id they had seen: numbering goes on from 11.
  for (std::uint64_t id = 11; id <= 15; ++id) ASSERT_EQ(publish(a->port(), "c", history_text(id)), id);
  // Ids 16..18 assigned elsewhere and lost with no trace in the stream (a server that died before its
  // events reached anyone): b must name them, not skip them.
  ASSERT_EQ(redis_command(std::string("INCRBY ") + kRedisTestPrefix + ":c:id 3"), 18);
  for (std::uint64_t id = 19; id <= 25; ++id) ASSERT_EQ(publish(a->port(), "c", history_text(id)), id);
  EXPECT_EQ(client.read_until(25),
            event_ids(1, 15) + std::vector<std::string>{"gap 16-18"} + event_ids(19, 25))
      << http_get(b->port(), "/stats")->body << "\n"
      << http_get(a->port(), "/stats")->body;
}

INSTANTIATE_TEST_SUITE_P(Transports, RedisResume,
                         testing::Values(Via::kSse, Via::kWs, Via::kLongPoll, Via::kPoll), via_name);

}  // namespace
}  // namespace rtb::test
