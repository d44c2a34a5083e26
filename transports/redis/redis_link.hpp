// RedisLink: one connection to Redis on this process's loop (hiredis's async API with its libuv adapter) that
// comes back by itself: after a loss it reconnects with backoff (100 ms doubling to 2 s) until destroyed.
// Every command has a deadline; a Redis that stops answering is treated as gone (the link is dropped, every
// command in flight fails), because hiredis 0.14 has no timeouts of its own.
#pragma once

#include <uv.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "transports/net/loop.hpp"
#include "transports/net/uv_handle.hpp"
#include "transports/redis/redis_url.hpp"

struct redisAsyncContext;
struct redisReply;

namespace rtb {

struct RedisLinkCounters {
  std::uint64_t connects = 0;          // connections made (the first one included)
  std::uint64_t losses = 0;            // connections lost or refused
  std::uint64_t timeouts = 0;          // commands unanswered within the deadline (each drops the link)
  std::uint64_t commands = 0;          // commands sent
  std::uint64_t refused_commands = 0;  // not sent: the link was down or too many were in flight
};

class RedisLink {
 public:
  // `reply` is null when the command failed (link lost, deadline passed); the reply is valid only during the
  // call. A command sent after SUBSCRIBE gets every message of that channel here, the confirmation first.
  using ReplyFn = std::function<void(const redisReply* reply)>;
  struct Handlers {
    std::function<void()> on_up;                        // connected (again): resend what the connection held
    std::function<void(std::string_view why)> on_down;  // lost; every command in flight has failed already
  };
  static constexpr std::size_t kMaxInFlight = 65536;

  // `role` names the link in logs ("commands", "events"). Connects at start().
  RedisLink(Loop& loop, RedisUrl url, std::string role, std::uint32_t command_timeout_ms, Handlers handlers);
  ~RedisLink();  // frees the connection; the callbacks of commands in flight are dropped without a call
  RedisLink(const RedisLink&) = delete;
  RedisLink& operator=(const RedisLink&) = delete;

  void start();
  bool up() const { return up_; }
  // Sends a command (arguments are binary-safe). False when it could not be sent (down, or kMaxInFlight
  // commands wait): `done` is then not called. Otherwise `done` runs once, later, on this loop.
  bool command(std::initializer_list<std::string_view> args, ReplyFn done);
  bool command(const std::vector<std::string_view>& args, ReplyFn done);
  // A subscription: `on_message` runs for the confirmation and then every message until the link is lost
  // (with null then). No deadline: a subscribed connection is quiet as long as nobody publishes.
  bool subscribe(std::string_view channel, ReplyFn on_message);
  // Drops the connection now (the other link of a broker saw Redis go); reconnects with backoff.
  void drop(std::string_view why);
  const RedisLinkCounters& counters() const { return counters_; }
  // Why the link is down ("connection refused"), empty while up.
  const std::string& last_error() const { return last_error_; }

 private:
  struct Pending;
  bool send(const std::vector<std::string_view>& args, ReplyFn done, bool with_deadline);
  void connect();
  void schedule_reconnect();
  void lost(std::string why);
  void check_deadlines();
  void check_connecting();
  void start_checks();
  static void on_connect(const redisAsyncContext* context, int status);
  static void on_disconnect(const redisAsyncContext* context, int status);
  static void on_reply(redisAsyncContext* context, void* reply, void* privdata);

  Loop& loop_;
  RedisUrl url_;
  std::string role_;
  std::uint32_t command_timeout_ms_;
  Handlers handlers_;
  // Owned by hiredis once connecting: it frees the context after on_disconnect or a failed on_connect; we
  // free it ourselves (redisAsyncFree) only in the destructor.
  redisAsyncContext* context_ = nullptr;
  bool up_ = false;
  bool closing_ = false;
  std::uint32_t backoff_ms_ = 0;
  std::uint64_t connect_deadline_ = 0;  // loop ms: a connect still pending then has failed
  // Deadlines (loop ms) of the commands in flight, oldest first: Redis answers in order.
  std::deque<std::uint64_t> deadlines_;
  UvHandle<uv_timer_t> reconnect_timer_;
  UvHandle<uv_timer_t> deadline_timer_;
  RedisLinkCounters counters_;
  std::string last_error_ = "not connected yet";
};

}  // namespace rtb
