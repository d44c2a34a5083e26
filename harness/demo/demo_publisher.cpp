#include "harness/demo/demo_publisher.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace rtb {

namespace {

constexpr int kWaitSliceMs = 100;       // every wait checks stop_ at least this often
constexpr int kAnswerTimeoutMs = 5000;  // a publish answer slower than this: reconnect
constexpr std::size_t kMaxAnswerBytes = 16384;

double realtime_epoch_ms() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

int connect_to(const std::string& host, std::uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) return -1;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

bool send_all(int fd, const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

std::string demo_event_text(std::uint64_t seq, double epoch_ms, std::size_t payload_bytes) {
  std::string head = fmt::format("{{\"seq\":{},\"t\":{:.3f},\"pad\":\"", seq, epoch_ms);
  std::size_t fixed = head.size() + 2;  // the closing "}
  std::string text = std::move(head);
  if (payload_bytes > fixed) text.append(payload_bytes - fixed, 'x');
  text += "\"}";
  return text;
}

void DemoPublisher::start() {
  stop_ = false;
  thread_ = std::thread([this] { run(); });
}

void DemoPublisher::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

bool DemoPublisher::publish_once(int& fd, const std::string& text) {
  if (fd < 0) fd = connect_to(config_.host, config_.port);
  if (fd < 0) return false;
  std::string request = fmt::format(
      "POST /publish?channel={} HTTP/1.1\r\nHost: {}:{}\r\nContent-Type: text/plain\r\nContent-Length: "
      "{}\r\n\r\n",
      config_.channel, config_.host, config_.port, text.size());
  request += text;
  if (!send_all(fd, request)) {
    close(fd);
    fd = -1;
    return false;
  }
  // Read one answer: the head, then Content-Length bytes of body.
  std::string answer;
  char buf[4096];
  int waited = 0;
  while (!stop_ && waited < kAnswerTimeoutMs && answer.size() < kMaxAnswerBytes) {
    std::size_t head_end = answer.find("\r\n\r\n");
    if (head_end != std::string::npos) {
      std::size_t length = 0;
      std::size_t cl = answer.find("Content-Length: ");
      if (cl != std::string::npos && cl < head_end)
        length = std::strtoull(answer.c_str() + cl + 16, nullptr, 10);
      if (answer.size() >= head_end + 4 + length) {
        bool ok = answer.compare(0, 12, "HTTP/1.1 200") == 0;
        bool closing = answer.find("Connection: close") < head_end;
        if (closing) {
          close(fd);
          fd = -1;
        }
        return ok;
      }
    }
    pollfd p{fd, POLLIN, 0};
    int r = poll(&p, 1, kWaitSliceMs);
    if (r == 0) {
      waited += kWaitSliceMs;
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    ssize_t n = r > 0 ? recv(fd, buf, sizeof buf, 0) : -1;
    if (n <= 0) break;
    answer.append(buf, static_cast<std::size_t>(n));
  }
  close(fd);
  fd = -1;
  return false;
}

void DemoPublisher::run() {
  using Clock = std::chrono::steady_clock;
  const auto period = std::chrono::duration<double>(1.0 / (config_.rate > 0 ? config_.rate : 1));
  const Clock::time_point start = Clock::now();
  const double start_epoch_ms = realtime_epoch_ms();
  int fd = -1;
  for (std::uint64_t seq = 1; !stop_; ++seq) {
    // Open loop: event N is due at start + N * period and stamped with that intended time.
    auto offset = std::chrono::duration_cast<Clock::duration>(period * static_cast<double>(seq - 1));
    Clock::time_point due = start + offset;
    while (!stop_ && Clock::now() < due) {
      auto left = due - Clock::now();
      std::this_thread::sleep_for(std::min<Clock::duration>(left, std::chrono::milliseconds(kWaitSliceMs)));
    }
    if (stop_) break;
    // More than a second behind (the server was away): skip the slot rather than burst to catch up.
    if (Clock::now() - due > std::chrono::seconds(1)) {
      ++skipped_;
      continue;
    }
    double intended_ms = start_epoch_ms + std::chrono::duration<double, std::milli>(offset).count();
    if (publish_once(fd, demo_event_text(seq, intended_ms, config_.payload_bytes))) {
      ++published_;
    } else {
      ++errors_;
    }
  }
  if (fd >= 0) close(fd);
}

}  // namespace rtb
