#include "harness/runner/verify.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <charconv>
#include <memory>
#include <optional>

#include "harness/metrics/json.hpp"
#include "harness/scenario/server_url.hpp"
#include "transports/common/client_session.hpp"
#include "transports/net/loop.hpp"
#include "transports/net/uv_handle.hpp"
#include "transports/table/transport_table.hpp"

namespace rtb {

namespace {

using Clock = std::chrono::steady_clock;

struct Reply {
  int status = 0;
  std::string head;      // lower-cased, for header lookups
  std::string raw_head;  // as received, for values whose case matters
  std::string body;
};

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string printable(std::string_view s, std::size_t max = 200) {
  std::string out;
  for (char c : s.substr(0, max)) {
    if (c == '\r') continue;
    out += c == '\n' ? std::string("\\n")
                     : std::string(1, std::isprint(static_cast<unsigned char>(c)) ? c : '?');
  }
  return s.size() > max ? out + "..." : out;
}

// A header's value as received (found by its lower-case name), or "" when absent.
std::string header_value(const Reply& r, std::string_view name) {
  std::string needle = "\n" + std::string(name) + ":";
  std::size_t at = r.head.find(needle);
  if (at == std::string::npos) return {};
  std::size_t start = at + needle.size();
  std::size_t end = r.head.find("\r\n", start);
  std::string v = r.raw_head.substr(start, end == std::string::npos ? std::string::npos : end - start);
  while (!v.empty() && v.front() == ' ') v.erase(v.begin());
  while (!v.empty() && v.back() == ' ') v.pop_back();
  return v;
}

class Connection {
 public:
  Connection(const std::string& host, int port, Clock::time_point deadline) : deadline_(deadline) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    if (fd_ < 0 || ::inet_pton(AF_INET, host.c_str(), &a.sin_addr) != 1 ||
        ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      error_ = fmt::format("cannot connect to {}:{}", host, port);
    }
  }
  ~Connection() {
    if (fd_ >= 0) ::close(fd_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  const std::string& error() const { return error_; }

  bool send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) {
        error_ = "send failed";
        return false;
      }
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // Reads the head, then a Content-Length body (or, with `head_only`, nothing more: streams never end).
  std::optional<Reply> read_reply(bool head_only) {
    std::size_t head_end;
    while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!read_more()) return std::nullopt;
    }
    Reply r;
    r.raw_head = buffer_.substr(0, head_end + 2);
    r.head = lower(r.raw_head);
    std::string rest = buffer_.substr(head_end + 4);
    if (r.head.size() < 12 || r.head.compare(0, 5, "http/") != 0) {
      error_ = "not an HTTP response: " + printable(buffer_);
      return std::nullopt;
    }
    std::from_chars(r.head.data() + 9, r.head.data() + 12, r.status);
    if (head_only) {
      r.body = rest;
      return r;
    }
    std::string length = header_value(r, "content-length");
    std::size_t want = 0;
    if (!length.empty()) std::from_chars(length.data(), length.data() + length.size(), want);
    buffer_ = rest;
    while (buffer_.size() < want) {
      if (!read_more()) return std::nullopt;
    }
    r.body = buffer_.substr(0, want);
    return r;
  }

 private:
  bool read_more() {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now()).count();
    pollfd p{fd_, POLLIN, 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) {
      error_ = "no answer in time (received: " + printable(buffer_) + ")";
      return false;
    }
    char chunk[4096];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) {
      error_ = "connection closed (received: " + printable(buffer_) + ")";
      return false;
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  Clock::time_point deadline_;
  std::string buffer_;
  std::string error_;
};

constexpr std::string_view kChannel = "rtbench-verify";
constexpr std::string_view kText = "rtbench verify";

}  // namespace

bool VerifyReport::ok() const {
  for (const auto& c : checks) {
    if (!c.ok) return false;
  }
  return !checks.empty();
}

std::string VerifyReport::failures() const {
  std::string out;
  for (const auto& c : checks) {
    if (!c.ok) out += fmt::format("verify: {}: {}\n", c.name, c.detail);
  }
  return out;
}

namespace {

// Records what one subscriber saw of the event `want`.
class VerifyEvents final : public ClientEvents {
 public:
  explicit VerifyEvents(std::uint64_t want) : want_(want) {}
  void on_event(std::uint64_t id, std::string_view data) override {
    if (id != want_) return;  // earlier events of the channel (a previous verify) are fine
    if (data == kText) {
      received = true;
    } else {
      problem = fmt::format("event {} arrived with text '{}'", id, printable(data));
    }
  }
  void on_error(ClientErrorKind kind, std::string_view detail) override {
    if (problem.empty()) problem = fmt::format("{}: {}", client_error_name(kind), printable(detail));
  }
  bool received = false;
  std::string problem;

 private:
  std::uint64_t want_;
};

// "" when the module's client received event `id`; otherwise what went wrong.
std::string receive_with_client(const TransportModule& module, const std::string& host, int port,
                                std::uint64_t id, std::chrono::milliseconds timeout) {
  std::string error;
  const bool v6 = host.find(':') != std::string::npos;
  auto url =
      parse_server_url(fmt::format("http://{}{}{}:{}", v6 ? "[" : "", host, v6 ? "]" : "", port), &error);
  if (!url) return error;
  ClientOptions options;
  options.server = url->address;
  options.host_header = url->host_header;
  options.channel = std::string(kChannel);
  options.since = id - 1;
  options.poll_interval_ms = 100;
  options.longpoll_timeout_ms = static_cast<std::uint32_t>(timeout.count());
  options.request_timeout_ms = static_cast<std::uint32_t>(timeout.count());
  Loop loop(10);
  VerifyEvents events(id);
  std::unique_ptr<ClientSession> client = module.make_client(loop, options, events, 0);
  client->start();
  // The loop wakes at least every 10 ms (a repeating timer) so that the deadline is seen without traffic.
  UvHandle<uv_timer_t> wake;
  uv_timer_init(loop.get(), wake.get());
  wake.set_initialised();
  uv_timer_start(
      wake.get(), [](uv_timer_t*) {}, 10, 10);
  const auto deadline = Clock::now() + timeout;
  while (!events.received && events.problem.empty() && Clock::now() < deadline)
    uv_run(loop.get(), UV_RUN_ONCE);
  client->stop();
  // Let the client's and the timer's close callbacks run before the loop goes away.
  wake.close();
  for (int turn = 0; turn < 100 && !client->closed(); ++turn) uv_run(loop.get(), UV_RUN_NOWAIT);
  uv_run(loop.get(), UV_RUN_NOWAIT);
  if (events.received) return {};
  if (!events.problem.empty()) return events.problem;
  return fmt::format("no event {} within {} ms", id, timeout.count());
}

}  // namespace

VerifyReport verify_server(const std::string& host, int port, std::chrono::milliseconds timeout) {
  VerifyReport report;
  const std::string host_header = fmt::format("Host: {}:{}\r\n", host, port);
  // One request on a fresh connection; nullopt with the reason in *why.
  auto request = [&](const std::string& text, bool head_only, std::string* why) -> std::optional<Reply> {
    Connection c(host, port, Clock::now() + timeout);
    if (c.error().empty() && c.send(text)) {
      if (auto r = c.read_reply(head_only)) return r;
    }
    *why = c.error();
    return std::nullopt;
  };
  auto add = [&report](std::string name, bool ok, std::string detail) {
    report.checks.push_back({std::move(name), ok, std::move(detail)});
  };

  {
    std::string why;
    auto r = request("GET /stats HTTP/1.1\r\n" + host_header + "Connection: close\r\n\r\n", false, &why);
    const std::string name = "GET /stats answers 200 with a JSON object";
    if (!r) {
      add(name, false, why);
    } else {
      std::string err;
      auto json = parse_json(r->body, &err);
      bool ok = r->status == 200 && json && json->is_object();
      add(name, ok, ok ? "" : fmt::format("status {}, body '{}' {}", r->status, printable(r->body), err));
    }
  }

  // One POST /publish: the id, or 0 with what was received in *why.
  auto publish = [&](std::string* why) -> std::uint64_t {
    auto r = request(
        fmt::format("POST /publish?channel={} HTTP/1.1\r\n{}Content-Type: text/plain\r\nContent-Length: "
                    "{}\r\nConnection: close\r\n\r\n{}",
                    kChannel, host_header, kText.size(), kText),
        false, why);
    if (!r) return 0;
    std::string body = r->body;
    while (!body.empty() && std::isspace(static_cast<unsigned char>(body.back()))) body.pop_back();
    std::uint64_t id = 0;
    auto [p, ec] = std::from_chars(body.data(), body.data() + body.size(), id);
    if (r->status == 200 && ec == std::errc() && p == body.data() + body.size() && id > 0) return id;
    *why = fmt::format("status {}, body '{}'", r->status, printable(r->body));
    return 0;
  };
  // Published twice and checked with the second: a client asked for what follows id-1 = 0 is a fresh
  // EventSource, which gets live events only, so the verified id must be at least 2.
  std::string why;
  std::uint64_t id = publish(&why);
  if (id > 0) id = publish(&why);
  add("POST /publish answers 200 with the event id", id > 0, id > 0 ? fmt::format("id {}", id) : why);

  // Every transport of the table, through its own client (the one the load generator runs), delivers the
  // event just published with its id when asked for what follows id-1.
  for (const TransportModule* m : transport_table()) {
    const std::string name =
        fmt::format("{} (/{}) delivers the published event with its id", m->label, m->name);
    if (id == 0) {
      add(name, false, "skipped: no id from /publish");
      continue;
    }
    std::string detail = receive_with_client(*m, host, port, id, timeout);
    add(name, detail.empty(), detail);
  }
  return report;
}

}  // namespace rtb
