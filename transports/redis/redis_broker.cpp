#include "transports/redis/redis_broker.hpp"

#include <fmt/format.h>
#include <hiredis/hiredis.h>

#include <charconv>
#include <vector>

#include "transports/redis/redis_scripts.hpp"

namespace rtb {

namespace {

std::uint64_t parse_u64(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end != text.data() ? value : 0;
}

std::string_view reply_text(const redisReply* r) {
  return r != nullptr && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS ||
                          r->type == REDIS_REPLY_ERROR)
             ? std::string_view(r->str, r->len)
             : std::string_view();
}

// One stream entry, ["<id>-0", ["d", text]]: its id (0 when malformed) and text.
std::pair<std::uint64_t, std::string_view> stream_entry(const redisReply* entry) {
  if (entry == nullptr || entry->type != REDIS_REPLY_ARRAY || entry->elements != 2) return {0, {}};
  const redisReply* fields = entry->element[1];
  if (fields == nullptr || fields->type != REDIS_REPLY_ARRAY || fields->elements < 2) return {0, {}};
  return {parse_u64(reply_text(entry->element[0])), reply_text(fields->element[1])};
}

// A script call that survives Redis forgetting its scripts (a restart, SCRIPT FLUSH): EVALSHA, and EVAL once
// when Redis answers NOSCRIPT. The arguments are kept for that second send.
struct ScriptCall {
  const RedisScript* script;
  std::vector<std::string> args;  // numkeys, keys, argv
};

bool run_script(RedisLink& link, std::shared_ptr<ScriptCall> call, RedisLink::ReplyFn done) {
  std::vector<std::string_view> argv{"EVALSHA", call->script->sha1};
  for (const auto& a : call->args) argv.emplace_back(a);
  return link.command(argv, [&link, call, done = std::move(done)](const redisReply* reply) {
    if (reply != nullptr && reply->type == REDIS_REPLY_ERROR &&
        reply_text(reply).substr(0, 8) == "NOSCRIPT") {
      std::vector<std::string_view> again{"EVAL", call->script->text};
      for (const auto& a : call->args) again.emplace_back(a);
      if (link.command(again, done)) return;
      reply = nullptr;
    }
    if (done) done(reply);
  });
}

}  // namespace

RedisBroker::RedisBroker(Loop& loop, Options options)
    : options_(std::move(options)),
      history_text_(std::to_string(options_.history == 0 ? 1 : options_.history)),
      commands_(loop, options_.url, "commands", options_.command_timeout_ms,
                {[this] { on_commands_up(); }, nullptr}),
      events_(loop, options_.url, "events", options_.command_timeout_ms,
              {[this] { on_events_up(); }, nullptr}) {}

RedisBroker::~RedisBroker() = default;

void RedisBroker::start() {
  commands_.start();
  events_.start();
}

std::string RedisBroker::unavailable() const {
  const std::string& why = !commands_.up() ? commands_.last_error() : events_.last_error();
  return fmt::format("broker unavailable: {} is down ({}); reconnecting", to_string(options_.url),
                     why.empty() ? "no answer" : why);
}

RedisBroker::ChannelState& RedisBroker::state(std::string_view channel) {
  auto it = channels_.find(channel);
  if (it != channels_.end()) return *it->second;
  auto st = std::make_unique<ChannelState>();
  st->name = std::string(channel);
  const std::string base = fmt::format("{}:{}:", options_.url.prefix, channel);
  st->id_key = base + "id";
  st->log_key = base + "log";
  st->event_key = base + "ev";
  ChannelState& raw = *st;
  channels_.emplace(std::string(channel), std::move(st));
  return raw;
}

void RedisBroker::on_commands_up() {
  for (const RedisScript* s : {&redis_publish_script(), &redis_read_script(), &redis_seed_script()})
    commands_.command({"SCRIPT", "LOAD", s->text}, nullptr);
  // After a restart without persistence the counters are gone: put back the newest id seen here, before any
  // publish of ours (Redis runs this connection's commands in order).
  for (auto& [name, st] : channels_) {
    if (st->last == 0) continue;
    auto call = std::make_shared<ScriptCall>(
        ScriptCall{&redis_seed_script(), {"1", st->id_key, std::to_string(st->last)}});
    run_script(commands_, std::move(call), nullptr);
  }
}

void RedisBroker::on_events_up() {
  for (auto& [name, st] : channels_) subscribe(*st);
}

void RedisBroker::watch(std::string_view channel) {
  ChannelState& st = state(channel);
  request_base(st);
  if (events_.up()) subscribe(st);
}

void RedisBroker::request_base(ChannelState& st) {
  if (st.last != 0 || st.awaiting_base) return;
  st.awaiting_base = commands_.command({"GET", st.id_key}, [this, &st](const redisReply* reply) {
    st.awaiting_base = false;
    if (reply == nullptr || (reply->type != REDIS_REPLY_STRING && reply->type != REDIS_REPLY_NIL)) {
      deliver_held(st, UINT64_MAX);  // no base: what arrived goes on, holes before it are named later
      return;
    }
    st.base = parse_u64(reply_text(reply));
    // Published after the base and before the subscription took effect: in the stream.
    start_catch_up(st);
  });
}

void RedisBroker::subscribe(ChannelState& st) {
  events_.subscribe(st.event_key, [this, &st](const redisReply* reply) {
    if (reply == nullptr || reply->type != REDIS_REPLY_ARRAY || reply->elements != 3) return;
    const std::string_view kind = reply_text(reply->element[0]);
    if (kind == "subscribe") {
      // Whatever was published while this process was not subscribed is in the stream (the base's answer
      // reads it when the base is still being asked for).
      if ((st.last != 0 || st.base != 0) && !st.awaiting_base) start_catch_up(st);
      return;
    }
    if (kind != "message") return;
    const std::string_view payload = reply_text(reply->element[2]);
    const std::size_t space = payload.find(' ');
    const std::uint64_t id = parse_u64(payload.substr(0, space));
    if (id == 0 || space == std::string_view::npos) return;
    on_live(st, id, payload.substr(space + 1));
  });
}

void RedisBroker::publish(std::string_view channel, std::string_view data, PublishDone done) {
  ++counters_.publishes;
  ChannelState& st = state(channel);
  auto call = std::make_shared<ScriptCall>(ScriptCall{
      &redis_publish_script(),
      {"3", st.id_key, st.log_key, st.event_key, std::string(data), history_text_, std::to_string(st.last)}});
  auto fail = [this](const PublishDone& done, std::string why) {
    ++counters_.publish_failures;
    error_ = std::move(why);
    if (done) done(PublishOutcome{0, error_});
  };
  const bool sent = run_script(commands_, call, [this, &st, call, done, fail](const redisReply* reply) {
    if (reply == nullptr) {
      fail(done, unavailable());
      return;
    }
    if (reply->type != REDIS_REPLY_INTEGER || reply->integer <= 0) {
      fail(done, fmt::format("broker refused the event: {}", reply_text(reply)));
      return;
    }
    const auto id = static_cast<std::uint64_t>(reply->integer);
    // Our own event need not wait for its copy on the events link.
    on_live(st, id, call->args[4]);
    if (st.last >= id) {
      if (done) done(PublishOutcome{id, {}});
    } else {
      st.waiting.emplace_back(id, done);
    }
  });
  if (!sent) fail(done, unavailable());
}

void RedisBroker::on_live(ChannelState& st, std::uint64_t id, std::string_view data) {
  if (id <= st.last) return;  // delivered already (our publish's answer and its copy both arrive)
  if (st.catching_up || st.awaiting_base || (st.last != 0 && id != st.last + 1)) {
    if (st.held.size() < kMaxHeld) st.held.emplace(id, std::string(data));
    if (!st.catching_up && !st.awaiting_base) start_catch_up(st);
    return;
  }
  deliver(st, id, data);
}

void RedisBroker::deliver(ChannelState& st, std::uint64_t id, std::string_view data) {
  if (st.last != 0 && id > st.last + 1) counters_.ids_lost += id - st.last - 1;
  st.last = id;
  if (sink_ != nullptr) sink_->on_broker_event(st.name, id, data);
  while (!st.waiting.empty() && st.waiting.front().first <= st.last) {
    PublishDone done = std::move(st.waiting.front().second);
    const std::uint64_t done_id = st.waiting.front().first;
    st.waiting.pop_front();
    if (done) done(PublishOutcome{done_id, {}});
  }
}

void RedisBroker::deliver_held(ChannelState& st, std::uint64_t up_to) {
  while (!st.held.empty() && st.held.begin()->first <= up_to) {
    auto node = st.held.extract(st.held.begin());
    if (node.key() > st.last) deliver(st, node.key(), node.mapped());
  }
}

void RedisBroker::start_catch_up(ChannelState& st) {
  if (st.catching_up) {
    st.catch_up_again = true;
    return;
  }
  st.catching_up = true;
  ++counters_.catch_ups;
  read_stream(st);
}

void RedisBroker::read_stream(ChannelState& st) {
  auto call = std::make_shared<ScriptCall>(
      ScriptCall{&redis_read_script(),
                 {"2", st.id_key, st.log_key, std::to_string((st.last != 0 ? st.last : st.base) + 1),
                  std::to_string(kCatchUpBatch)}});
  const bool sent = run_script(commands_, std::move(call), [this, &st](const redisReply* reply) {
    const bool ok = reply != nullptr && reply->type == REDIS_REPLY_ARRAY && reply->elements == 2 &&
                    reply->element[1]->type == REDIS_REPLY_ARRAY;
    if (!ok) {
      // Redis cannot say: what waits is delivered with the hole before it, which sessions name as a gap.
      st.catching_up = false;
      st.catch_up_again = false;
      deliver_held(st, UINT64_MAX);
      return;
    }
    const redisReply* entries = reply->element[1];
    std::uint64_t newest = 0;
    for (std::size_t i = 0; i < entries->elements; ++i) {
      auto [id, text] = stream_entry(entries->element[i]);
      if (id == 0) continue;
      newest = id;
      if (id > st.last) st.held.emplace(id, std::string(text));
    }
    if (entries->elements == kCatchUpBatch || st.catch_up_again) {
      st.catch_up_again = false;
      deliver_held(st, newest != 0 ? newest : st.last);
      read_stream(st);
      return;
    }
    st.catching_up = false;
    deliver_held(st, UINT64_MAX);
  });
  if (!sent) {
    st.catching_up = false;
    st.catch_up_again = false;
    deliver_held(st, UINT64_MAX);
  }
}

void RedisBroker::fetch(std::string_view channel, std::uint64_t after, std::size_t max, FetchDone done) {
  ++counters_.fetches;
  ChannelState& st = state(channel);
  auto call = std::make_shared<ScriptCall>(ScriptCall{
      &redis_read_script(), {"2", st.id_key, st.log_key, std::to_string(after + 1), std::to_string(max)}});
  auto failed = [this](const FetchDone& done, std::string why) {
    ++counters_.fetch_failures;
    error_ = std::move(why);
    done(FetchResult::failed(error_));
  };
  const bool sent =
      run_script(commands_, std::move(call), [this, after, done, failed](const redisReply* reply) {
        if (reply == nullptr || reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 ||
            reply->element[0]->type != REDIS_REPLY_INTEGER || reply->element[1]->type != REDIS_REPLY_ARRAY) {
          failed(done, reply == nullptr ? unavailable() : fmt::format("broker error: {}", reply_text(reply)));
          return;
        }
        FetchResult result;
        result.last_id = static_cast<std::uint64_t>(reply->element[0]->integer);
        const redisReply* entries = reply->element[1];
        std::uint64_t expected = after + 1;
        for (std::size_t i = 0; i < entries->elements; ++i) {
          auto [id, text] = stream_entry(entries->element[i]);
          if (id == 0 || id < expected) continue;
          if (result.events.empty() && id > expected) {
            result.gap_first = expected;
            result.gap_last = id - 1;
          } else if (id != expected) {
            break;  // a hole inside: the reader asks again from here and hears the gap then
          }
          result.events.push_back(Event{id, 0, SharedBuffer::copy_of(text), {}});
          expected = id + 1;
        }
        if (result.events.empty() && result.last_id > after) {
          result.gap_first = after + 1;
          result.gap_last = result.last_id;
        }
        if (!result.events.empty()) result.last_id = std::max(result.last_id, result.events.back().id);
        done(std::move(result));
      });
  if (!sent) failed(done, unavailable());
}

std::string RedisBroker::stats_json() const {
  const RedisLinkCounters& c = commands_.counters();
  const RedisLinkCounters& e = events_.counters();
  return fmt::format(
      "{{\"name\":\"redis\",\"url\":\"{}\",\"up\":{},\"publishes\":{},\"publish_failures\":{},\"fetches\":{},"
      "\"fetch_failures\":{},\"catch_ups\":{},\"ids_lost\":{},\"connection_losses\":{},\"timeouts\":{}}}",
      to_string(options_.url), up() ? "true" : "false", counters_.publishes, counters_.publish_failures,
      counters_.fetches, counters_.fetch_failures, counters_.catch_ups, counters_.ids_lost,
      c.losses + e.losses, c.timeouts + e.timeouts);
}

}  // namespace rtb
