#include "harness/scenario/load_config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "harness/scenario/client_factory.hpp"
#include "harness/scenario/load_options.hpp"
#include "harness/scenario/server_url.hpp"

namespace rtb {

std::uint64_t LoadConfig::effective_max_in_flight() const {
  if (max_in_flight != 0) return max_in_flight;
  return std::max<std::uint64_t>(1000, static_cast<std::uint64_t>(std::ceil(rate * 10)));
}

double LoadConfig::effective_late_ms() const {
  if (late_ms > 0) return late_ms;
  if (!(rate > 0)) return 2;
  return std::max(2.0, 100.0 / rate);  // a tenth of 1000 / rate ms
}

PublishVia LoadConfig::effective_publish_via() const {
  if (publish_via != PublishVia::kAuto) return publish_via;
  return transport.module != nullptr && transport.module->publishes_on_connection ? PublishVia::kWebSocket
                                                                                  : PublishVia::kHttp;
}

std::string validate_load_config(const LoadConfig& c) {
  // Every option's own range, as the command line checks it (a suite built in code passes here too).
  for (const auto& o : load_option_table()) {
    std::string value = o.get(c);
    LoadConfig scratch;
    if (std::string why = o.set(scratch, value); !why.empty()) {
      return fmt::format("{} {}: {}", o.long_name(), value, why);
    }
  }
  if (is_round_trip(c.transport)) {
    if (c.connection_per_request) {
      return fmt::format(
          "--connection-per-request applies to transports that poll on an interval; --transport {} keeps "
          "every "
          "connection alive",
          transport_name(c.transport));
    }
    if (c.publish_via != PublishVia::kAuto) {
      return fmt::format("--publish-via: --transport {} runs no publisher; drop the option",
                         transport_name(c.transport));
    }
  } else if (c.pipeline != 1) {
    return "--pipeline applies to the round-trip modes (--transport http or echo) only; drop it";
  }
  if (c.request_rate > 0 && c.transport != TransportKind::http()) {
    return fmt::format(
        "--request-rate applies to --transport http (an open loop of keep-alive GETs), not to {}; drop it",
        transport_name(c.transport));
  }
  if (c.connection_per_request && !polls_on_interval(c.transport)) {
    return fmt::format("--connection-per-request applies to transports that poll on an interval, not to {}",
                       transport_name(c.transport));
  }
  if (c.warmup_s + c.duration_s > 7 * 24 * 3600) return "--warmup-s + --duration-s must be under a week";
  if (c.procs > c.clients) {
    return fmt::format(
        "--procs {} is more generator processes than --clients {}; give each at least one client", c.procs,
        c.clients);
  }
  if (!c.procs_exec.empty() && c.procs < 2) return "--procs-exec applies with --procs 2 or more; drop it";
  return {};
}

std::optional<std::vector<sockaddr_storage>> parse_sources(std::string_view text, std::string* error) {
  std::vector<sockaddr_storage> out;
  unsigned count = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), count);
  if (ec == std::errc() && end == text.data() + text.size()) {
    if (count > 250) {
      if (error != nullptr)
        *error = "--sources: at most 250 extra loopback addresses (127.0.0.2 .. 127.0.0.251)";
      return std::nullopt;
    }
    for (unsigned i = 1; i <= count + 1; ++i) out.push_back(*parse_ip_literal(fmt::format("127.0.0.{}", i)));
    return out;
  }
  while (!text.empty()) {
    std::size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    auto address = parse_ip_literal(item);
    if (!address) {
      if (error != nullptr) {
        *error = fmt::format(
            "--sources: '{}' is not an IP address; give a list like 127.0.0.2,127.0.0.3 or a count", item);
      }
      return std::nullopt;
    }
    out.push_back(*address);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  if (out.empty()) {
    if (error != nullptr) *error = "--sources: empty list";
    return std::nullopt;
  }
  return out;
}

std::optional<PublishVia> parse_publish_via(std::string_view text) {
  if (text == "auto") return PublishVia::kAuto;
  if (text == "http") return PublishVia::kHttp;
  if (text == "ws") return PublishVia::kWebSocket;
  return std::nullopt;
}

std::string_view publish_via_name(PublishVia via) {
  switch (via) {
    case PublishVia::kAuto:
      return "auto";
    case PublishVia::kHttp:
      return "http";
    case PublishVia::kWebSocket:
      return "ws";
  }
  return "unknown";
}

}  // namespace rtb
