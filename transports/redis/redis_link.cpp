#include "transports/redis/redis_link.hpp"

#include <fmt/format.h>
#include <hiredis/adapters/libuv.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

namespace rtb {

namespace {
constexpr std::uint32_t kFirstBackoffMs = 100;
constexpr std::uint32_t kMaxBackoffMs = 2000;
constexpr std::uint64_t kDeadlineCheckMs = 100;
}  // namespace

// What a command's callback needs: hiredis hands it back as privdata. A plain command's Pending is freed by
// its one callback; a subscription's lives in the link until the connection ends (hiredis calls it per
// message and once more with null when the connection goes).
struct RedisLink::Pending {
  RedisLink* link;
  ReplyFn done;
  bool has_deadline;
  bool subscription;
};

RedisLink::RedisLink(Loop& loop, RedisUrl url, std::string role, std::uint32_t command_timeout_ms,
                     Handlers handlers)
    : loop_(loop),
      url_(std::move(url)),
      role_(std::move(role)),
      command_timeout_ms_(command_timeout_ms),
      handlers_(std::move(handlers)) {
  for (auto* timer : {&reconnect_timer_, &deadline_timer_}) {
    uv_timer_init(loop_.get(), timer->get());
    timer->set_initialised();
    (*timer)->data = this;
    // Neither keeps the loop alive: a server shutting down does not wait for Redis.
    uv_unref(timer->as_handle());
  }
}

RedisLink::~RedisLink() {
  closing_ = true;
  if (context_ != nullptr) {
    redisAsyncContext* context = std::exchange(context_, nullptr);
    context->data = nullptr;
    redisAsyncFree(context);  // runs every callback with null: each frees its Pending without calling
  }
}

void RedisLink::start() {
  connect();
}

void RedisLink::connect() {
  redisAsyncContext* context = redisAsyncConnect(url_.host.c_str(), url_.port);
  if (context == nullptr) {
    lost("out of memory");
    return;
  }
  if (context->err != 0) {
    std::string why = context->errstr;
    redisAsyncFree(context);
    lost(std::move(why));
    return;
  }
  if (redisLibuvAttach(context, loop_.get()) != REDIS_OK) {
    redisAsyncFree(context);
    lost("cannot attach to the event loop");
    return;
  }
  // Like the timers, the connection does not keep the loop alive: a server shutting down does not wait for
  // Redis.
  uv_unref(reinterpret_cast<uv_handle_t*>(&static_cast<redisLibuvEvents*>(context->ev.data)->handle));
  context->data = this;
  redisAsyncSetConnectCallback(context, &RedisLink::on_connect);
  redisAsyncSetDisconnectCallback(context, &RedisLink::on_disconnect);
  context_ = context;
  connect_deadline_ = loop_.now_ms() + command_timeout_ms_;
  start_checks();
}

void RedisLink::start_checks() {
  if (uv_is_active(deadline_timer_.as_handle())) return;
  uv_timer_start(
      deadline_timer_.get(), [](uv_timer_t* t) { static_cast<RedisLink*>(t->data)->check_deadlines(); },
      kDeadlineCheckMs, kDeadlineCheckMs);
}

void RedisLink::check_connecting() {
  // hiredis's libuv adapter drops the error event of a failed non-blocking connect (libuv reports it as a
  // poll error, which the adapter ignores), so a refused connect would wait for ever: ask the socket.
  int error = 0;
  socklen_t length = sizeof error;
  const int fd = context_->c.fd;
  if (fd >= 0 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error != 0) {
    redisAsyncFree(std::exchange(context_, nullptr));  // not connected: no disconnect callback
    lost(std::strerror(error));
  } else if (loop_.now_ms() >= connect_deadline_) {
    redisAsyncFree(std::exchange(context_, nullptr));
    lost(fmt::format("no connection within {} ms", command_timeout_ms_));
  }
}

void RedisLink::on_connect(const redisAsyncContext* context, int status) {
  auto* self = static_cast<RedisLink*>(context->data);
  if (self == nullptr) return;
  if (status != REDIS_OK) {
    // hiredis frees the context after this callback.
    self->context_ = nullptr;
    self->lost(context->errstr[0] != '\0' ? context->errstr : "connection failed");
    return;
  }
  self->up_ = true;
  self->backoff_ms_ = 0;
  self->last_error_.clear();
  ++self->counters_.connects;
  if (self->handlers_.on_up) self->handlers_.on_up();
}

void RedisLink::on_disconnect(const redisAsyncContext* context, int status) {
  auto* self = static_cast<RedisLink*>(context->data);
  if (self == nullptr || self->closing_) return;
  // hiredis frees the context after this callback.
  self->context_ = nullptr;
  std::string why = self->last_error_;
  if (why.empty()) why = status == REDIS_OK ? "connection closed" : context->errstr;
  self->lost(std::move(why));
}

void RedisLink::lost(std::string why) {
  const bool was_up = up_;
  up_ = false;
  ++counters_.losses;
  deadlines_.clear();
  last_error_ = std::move(why);
  schedule_reconnect();
  if (was_up && handlers_.on_down) handlers_.on_down(last_error_);
}

void RedisLink::schedule_reconnect() {
  if (closing_) return;
  backoff_ms_ = backoff_ms_ == 0 ? kFirstBackoffMs : std::min(backoff_ms_ * 2, kMaxBackoffMs);
  uv_timer_start(
      reconnect_timer_.get(), [](uv_timer_t* t) { static_cast<RedisLink*>(t->data)->connect(); }, backoff_ms_,
      0);
}

void RedisLink::drop(std::string_view why) {
  if (context_ == nullptr || !up_) return;
  last_error_ = std::string(why);
  // Frees at once (later when inside a hiredis callback): commands in flight fail, on_disconnect runs.
  redisAsyncFree(context_);
}

void RedisLink::check_deadlines() {
  if (context_ != nullptr && !up_) {
    check_connecting();
    return;
  }
  if (deadlines_.empty() || deadlines_.front() > loop_.now_ms()) return;
  ++counters_.timeouts;
  drop(fmt::format("redis did not answer within {} ms", command_timeout_ms_));
}

bool RedisLink::command(std::initializer_list<std::string_view> args, ReplyFn done) {
  return send(std::vector<std::string_view>(args), std::move(done), true);
}

bool RedisLink::command(const std::vector<std::string_view>& args, ReplyFn done) {
  return send(args, std::move(done), true);
}

bool RedisLink::subscribe(std::string_view channel, ReplyFn on_message) {
  return send({"SUBSCRIBE", channel}, std::move(on_message), false);
}

bool RedisLink::send(const std::vector<std::string_view>& args, ReplyFn done, bool with_deadline) {
  if (!up_ || context_ == nullptr || deadlines_.size() >= kMaxInFlight) {
    ++counters_.refused_commands;
    return false;
  }
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  argv.reserve(args.size());
  lengths.reserve(args.size());
  for (std::string_view a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  auto pending = std::make_unique<Pending>(Pending{this, std::move(done), with_deadline, !with_deadline});
  if (redisAsyncCommandArgv(context_, &RedisLink::on_reply, pending.get(), static_cast<int>(argv.size()),
                            argv.data(), lengths.data()) != REDIS_OK) {
    ++counters_.refused_commands;
    return false;
  }
  ++counters_.commands;
  if (with_deadline) deadlines_.push_back(loop_.now_ms() + command_timeout_ms_);
  // hiredis holds it now: on_reply frees a command's; a subscription's is freed by its last (null) call.
  pending.release();
  return true;
}

void RedisLink::on_reply(redisAsyncContext*, void* raw_reply, void* privdata) {
  auto* pending = static_cast<Pending*>(privdata);
  const auto* reply = static_cast<const redisReply*>(raw_reply);
  // A command's Pending is used once; a subscription's until hiredis gives up the channel (null reply).
  std::unique_ptr<Pending> owned(pending->subscription && reply != nullptr ? nullptr : pending);
  RedisLink* self = pending->link;
  if (self->closing_) return;
  if (pending->has_deadline && !self->deadlines_.empty()) self->deadlines_.pop_front();
  if (pending->done) pending->done(reply);
}

}  // namespace rtb
