// The short load the scenario tests run against a TestServer: 4 clients, 100 events/s for a 1 s window after
// a 0.2 s warm-up, polls every 20 ms.
#pragma once

#include <fmt/format.h>

#include <string>
#include <utility>

#include "harness/scenario/load_config.hpp"

namespace rtb::test {

inline LoadConfig quick_load_config(std::string url, TransportKind kind, std::string channel) {
  LoadConfig c;
  c.url = std::move(url);
  c.transport = kind;
  c.channel = std::move(channel);
  c.clients = 4;
  c.rate = 100;
  c.payload_bytes = 64;
  c.warmup_s = 0.2;
  c.duration_s = 1.0;
  c.drain_s = 5;
  c.poll_interval_ms = 20;
  c.connect_rate = 1000;
  return c;
}

}  // namespace rtb::test
