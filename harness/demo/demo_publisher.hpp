// DemoPublisher: a thread that POSTs /publish to a server at a constant rate over one keep-alive connection
// (plain blocking sockets, so it needs nothing of the server's internals). Each event text is
// {"seq":N,"t":<CLOCK_REALTIME epoch ms of the intended send time>,"pad":"xx.."}, the stamp the demo page
// reads for latency (the page's clock, performance.timeOrigin + performance.now(), is the same machine's wall
// clock).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

namespace rtb {

struct DemoPublisherConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  std::string channel = "demo";
  double rate = 10;                // events per second
  std::size_t payload_bytes = 64;  // text length (at least the stamp)
};

std::string demo_event_text(std::uint64_t seq, double epoch_ms, std::size_t payload_bytes);

class DemoPublisher {
 public:
  explicit DemoPublisher(DemoPublisherConfig config) : config_(std::move(config)) {}
  ~DemoPublisher() { stop(); }
  DemoPublisher(const DemoPublisher&) = delete;
  DemoPublisher& operator=(const DemoPublisher&) = delete;

  void start();
  // Returns within about 100 ms (every socket wait has that timeout).
  void stop();
  std::uint64_t published() const { return published_.load(); }
  std::uint64_t errors() const { return errors_.load(); }
  std::uint64_t skipped() const { return skipped_.load(); }

 private:
  void run();
  bool publish_once(int& fd, const std::string& text);

  DemoPublisherConfig config_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> published_{0};
  std::atomic<std::uint64_t> errors_{0};
  std::atomic<std::uint64_t> skipped_{0};
};

}  // namespace rtb
