// rtbench-floor-push: the least a server can do to push events, for the peer scripts to set beside rtbench
// and node ws: WebSocket echo, and broadcast to WebSocket and SSE subscribers. One thread, level-triggered
// epoll, non-blocking sockets, no history, no channels, no checks beyond what the client needs to accept the
// bytes.
//  - echo (a WebSocket on a path starting /echo): per read, every complete frame unmasked into one buffer,
//    then one write() of them all;
//  - broadcast (POST /publish, pipelined): per event the WebSocket frame `<id> <body>` and the SSE record
//    `id: <id>\ndata: <body>\n\n` are built once, then one write() of the frame per subscriber socket; the
//    publisher gets `<id>`, the answers of one read in one write.
// Any other WebSocket is a subscriber (the /ws of rtbench), GET /sse... an SSE subscriber. What it costs per
// round trip or per delivery is the system calls and the kernel's TCP work: the floor under a server's CPU.
//
// Usage: rtbench-floor-push [--port P] (default 18095; 127.0.0.1). SIGINT or SIGTERM ends it with exit 0.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "floor_listener.hpp"

namespace {

constexpr int kMaxEvents = 256;
// A request head or a partial frame larger than this closes the connection: no client of the scripts sends
// one.
constexpr std::size_t kMaxPending = 64 * 1024;
constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
constexpr std::string_view kSseHead =
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n\r\n";

int usage(const char* why) {
  return rtb::floor_server::print_usage(
      "rtbench-floor-push", why,
      "Usage: rtbench-floor-push [--port P]\n"
      "WebSocket echo (/echo) and broadcast (POST /publish to /ws and /sse subscribers) with nothing\n"
      "but the system calls they need: the CPU floor per round trip and per delivery for the peer\n"
      "scripts. Listens on 127.0.0.1:P (default 18095). SIGINT/SIGTERM: exit 0.\n"
      "Exit status: 0 stopped by a signal; 2 usage or setup error.\n");
}

enum class Kind : std::uint8_t { kNew, kEcho, kWsSubscriber, kSseSubscriber, kPublisher };

struct Conn {
  Kind kind = Kind::kNew;
  std::string pending;  // bytes read but not yet a whole request head, request or frame
  std::size_t subscriber_slot = 0;
};

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// The value of header `name` in a request head, trimmed; empty when absent.
std::string_view header(std::string_view head, std::string_view name) {
  std::size_t at = head.find("\r\n");
  while (at != std::string_view::npos && at + 2 < head.size()) {
    const std::size_t start = at + 2;
    const std::size_t end = head.find("\r\n", start);
    const std::string_view line = head.substr(start, end - start);
    const std::size_t colon = line.find(':');
    if (colon != std::string_view::npos && iequals(line.substr(0, colon), name)) {
      std::string_view v = line.substr(colon + 1);
      while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
      while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
      return v;
    }
    at = end;
  }
  return {};
}

std::string ws_accept(std::string_view key) {
  std::string text(key);
  text += kGuid;
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  unsigned char b64[4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1];
  const int n = EVP_EncodeBlock(b64, digest, SHA_DIGEST_LENGTH);
  return std::string(reinterpret_cast<const char*>(b64), static_cast<std::size_t>(n));
}

// An unmasked frame header for `len` payload bytes after first byte `b0`.
void append_frame_header(std::string& out, unsigned char b0, std::size_t len) {
  out.push_back(static_cast<char>(b0));
  if (len < 126) {
    out.push_back(static_cast<char>(len));
  } else if (len < 65536) {
    out.push_back(126);
    out.push_back(static_cast<char>(len >> 8));
    out.push_back(static_cast<char>(len & 0xff));
  } else {
    out.push_back(127);
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((len >> shift) & 0xff));
  }
}

class FloorPush {
 public:
  explicit FloorPush(int ep) : ep_(ep), conns_(1024) {
    in_.resize(256 * 1024);
    out_.reserve(256 * 1024);
  }

  void accept_all(int listener) {
    const int one = 1;
    for (;;) {
      const int c = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (c < 0) return;
      setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      if (static_cast<std::size_t>(c) >= conns_.size()) conns_.resize(static_cast<std::size_t>(c) * 2);
      conns_[static_cast<std::size_t>(c)] = Conn{};
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.fd = c;
      epoll_ctl(ep_, EPOLL_CTL_ADD, c, &ev);
    }
  }

  void on_readable(int fd) {
    const ssize_t got = read(fd, in_.data(), in_.size());
    if (got <= 0) {
      drop(fd);
      return;
    }
    Conn& c = conns_[static_cast<std::size_t>(fd)];
    const std::string_view data(in_.data(), static_cast<std::size_t>(got));
    switch (c.kind) {
      case Kind::kNew:
      case Kind::kPublisher:
        on_requests(fd, data);
        break;
      case Kind::kEcho:
        on_echo(fd, data);
        break;
      case Kind::kWsSubscriber:
        // A subscriber only ever sends its close frame (or pings, which this floor does not need to answer).
        if ((static_cast<unsigned char>(data[0]) & 0x0f) == 0x8) drop(fd);
        break;
      case Kind::kSseSubscriber:
        break;
    }
  }

 private:
  void on_requests(int fd, std::string_view data) {
    Conn& c = conns_[static_cast<std::size_t>(fd)];
    c.pending.append(data);
    out_.clear();
    std::size_t used = 0;
    for (;;) {
      const std::string_view rest = std::string_view(c.pending).substr(used);
      const std::size_t head_end = rest.find("\r\n\r\n");
      if (head_end == std::string_view::npos) break;
      const std::string_view head = rest.substr(0, head_end + 2);
      std::size_t length = 0;
      const std::string_view cl = header(head, "Content-Length");
      std::from_chars(cl.data(), cl.data() + cl.size(), length);
      if (rest.size() < head_end + 4 + length) break;
      const std::string_view body = rest.substr(head_end + 4, length);
      used += head_end + 4 + length;
      if (head.starts_with("POST /publish")) {
        c.kind = Kind::kPublisher;
        publish(body);
        continue;
      }
      if (c.kind == Kind::kNew && head.starts_with("GET ")) {
        if (iequals(header(head, "Upgrade"), "websocket")) {
          const bool echo = head.starts_with("GET /echo");
          std::string answer =
              "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              "Sec-WebSocket-Accept: ";
          answer += ws_accept(header(head, "Sec-WebSocket-Key"));
          answer += "\r\n\r\n";
          if (!write_all(fd, answer)) return;
          c.pending.erase(0, used);
          if (echo) {
            c.kind = Kind::kEcho;
            if (!c.pending.empty()) {
              std::string early;
              early.swap(c.pending);
              on_echo(fd, early);
            }
          } else {
            subscribe(fd, Kind::kWsSubscriber);
          }
          return;
        }
        if (head.starts_with("GET /sse")) {
          if (!write_all(fd, kSseHead)) return;
          subscribe(fd, Kind::kSseSubscriber);
          return;
        }
      }
      write_all(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      drop(fd);
      return;
    }
    c.pending.erase(0, used);
    if (c.pending.size() > kMaxPending) {
      drop(fd);
      return;
    }
    if (!out_.empty()) write_all(fd, out_);
  }

  // One event to every subscriber; the publisher's answer goes into out_.
  void publish(std::string_view body) {
    ++last_id_;
    char id[24];
    const auto [end, ec] = std::to_chars(id, id + sizeof id, last_id_);
    const std::string_view id_text(id, static_cast<std::size_t>(end - id));
    ws_frame_.clear();
    append_frame_header(ws_frame_, 0x81, id_text.size() + 1 + body.size());
    ws_frame_.append(id_text).append(" ").append(body);
    sse_record_.assign("id: ").append(id_text).append("\ndata: ").append(body).append("\n\n");
    for (std::size_t i = 0; i < subscribers_.size();) {
      const int s = subscribers_[i];
      const std::string& bytes =
          conns_[static_cast<std::size_t>(s)].kind == Kind::kWsSubscriber ? ws_frame_ : sse_record_;
      // A subscriber whose socket is full is not this program's case: it is closed (the client sees the gap).
      if (write(s, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) {
        drop(s);  // swaps the last subscriber into slot i
        continue;
      }
      ++i;
    }
    out_.append("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ");
    char len[8];
    const auto [lend, lec] = std::to_chars(len, len + sizeof len, id_text.size() + 1);
    out_.append(len, static_cast<std::size_t>(lend - len)).append("\r\n\r\n").append(id_text).append("\n");
  }

  void on_echo(int fd, std::string_view data) {
    Conn& c = conns_[static_cast<std::size_t>(fd)];
    std::string_view bytes = data;
    if (!c.pending.empty()) {
      c.pending.append(data);
      bytes = c.pending;
    }
    out_.clear();
    std::size_t used = 0;
    bool close_after = false;
    while (bytes.size() - used >= 2) {
      const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + used);
      const std::size_t avail = bytes.size() - used;
      std::size_t len = p[1] & 0x7f;
      std::size_t at = 2;
      if (len == 126) {
        if (avail < 4) break;
        len = (std::size_t{p[2]} << 8) | p[3];
        at = 4;
      } else if (len == 127) {
        if (avail < 10) break;
        len = 0;
        for (int i = 0; i < 8; ++i) len = (len << 8) | p[2 + i];
        at = 10;
      }
      if (avail < at + 4 + len) break;
      const unsigned char* mask = p + at;
      const unsigned char* payload = p + at + 4;
      const unsigned opcode = p[0] & 0x0f;
      append_frame_header(out_, opcode == 0x9 ? 0x8a : p[0], len);
      const std::size_t start = out_.size();
      out_.resize(start + len);
      for (std::size_t i = 0; i < len; ++i) out_[start + i] = static_cast<char>(payload[i] ^ mask[i & 3]);
      used += at + 4 + len;
      if (opcode == 0x8) {
        close_after = true;
        break;
      }
    }
    if (!out_.empty() && !write_all(fd, out_)) return;
    if (close_after) {
      drop(fd);
      return;
    }
    if (bytes.data() == c.pending.data()) {
      c.pending.erase(0, used);
    } else {
      c.pending.assign(bytes.substr(used));
    }
    if (c.pending.size() > kMaxPending) drop(fd);
  }

  void subscribe(int fd, Kind kind) {
    Conn& c = conns_[static_cast<std::size_t>(fd)];
    c.kind = kind;
    c.pending = std::string();
    c.subscriber_slot = subscribers_.size();
    subscribers_.push_back(fd);
  }

  // A short write closes the connection: every client of the scripts reads what it is sent.
  bool write_all(int fd, std::string_view bytes) {
    if (write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size())) return true;
    drop(fd);
    return false;
  }

  void drop(int fd) {
    Conn& c = conns_[static_cast<std::size_t>(fd)];
    if (c.kind == Kind::kWsSubscriber || c.kind == Kind::kSseSubscriber) {
      const int moved = subscribers_.back();
      subscribers_[c.subscriber_slot] = moved;
      conns_[static_cast<std::size_t>(moved)].subscriber_slot = c.subscriber_slot;
      subscribers_.pop_back();
    }
    c = Conn{};
    close(fd);  // also leaves the epoll set
  }

  int ep_;
  std::vector<Conn> conns_;  // by descriptor
  std::vector<int> subscribers_;
  std::vector<char> in_;
  std::string out_;
  std::string ws_frame_;
  std::string sse_record_;
  std::uint64_t last_id_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  const auto arg = rtb::floor_server::parse_port_argument(argc, argv, 18095, usage);
  if (arg.exit_status) return *arg.exit_status;
  rtb::floor_server::handle_signals();
  // 10,000 subscribers need more descriptors than the usual soft limit.
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }

  const auto listening = rtb::floor_server::listen_on_loopback(arg.port, "rtbench-floor-push");
  if (!listening) return 2;
  const int listener = listening->socket;
  const int ep = listening->epoll;

  FloorPush floor(ep);
  std::array<epoll_event, kMaxEvents> events{};
  while (!rtb::floor_server::stop_requested()) {
    const int n = epoll_wait(ep, events.data(), kMaxEvents, 500);
    for (int i = 0; i < n; ++i) {
      const int fd = events[static_cast<std::size_t>(i)].data.fd;
      if (fd == listener) {
        floor.accept_all(listener);
      } else {
        floor.on_readable(fd);
      }
    }
  }
  close(ep);
  close(listener);
  return 0;
}
