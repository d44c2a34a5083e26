#include "harness/scenario/load_options.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>

#include "harness/scenario/forward_proxy.hpp"
#include "harness/scenario/header_profile.hpp"
#include "harness/scenario/number_text.hpp"
#include "harness/scenario/server_url.hpp"
#include "harness/scenario/transport_kind.hpp"
#include "transports/pubsub/hub.hpp"
#include "transports/table/transport_table.hpp"

namespace rtb {

namespace {

using C = LoadConfig;

std::string number_text(double v) {
  return fmt::format("{}", v);
}

std::optional<double> parse_number(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::string s(text);
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

// An unsigned option with an inclusive range.
template <typename T>
LoadOption unsigned_option(std::string_view flags, std::string_view help, std::string_view range,
                           T C::*member, std::uint64_t lo, std::uint64_t hi,
                           LoadOptionScope scope = LoadOptionScope::kLoad) {
  LoadOption o;
  o.flags = flags;
  o.help = help;
  o.range = range;
  o.type = LoadOptionType::kUnsigned;
  o.scope = scope;
  o.get = [member](const C& c) { return std::to_string(c.*member); };
  o.set = [member, lo, hi, range](C& c, std::string_view text) -> std::string {
    auto v = parse_u64(text);
    if (!v || *v < lo || *v > hi) return fmt::format("must be a whole number, {}", range);
    c.*member = static_cast<T>(*v);
    return {};
  };
  return o;
}

// A number (or, with seconds, a duration) in [lo, hi]; lo excluded when `lo_open`.
LoadOption number_option(std::string_view flags, std::string_view help, std::string_view range,
                         double C::*member, double lo, bool lo_open, double hi, bool seconds = false) {
  LoadOption o;
  o.flags = flags;
  o.help = help;
  o.range = range;
  o.type = seconds ? LoadOptionType::kSeconds : LoadOptionType::kNumber;
  o.get = [member](const C& c) { return number_text(c.*member); };
  o.set = [=](C& c, std::string_view text) -> std::string {
    auto v = seconds ? parse_seconds(text) : parse_number(text);
    if (!v || (lo_open ? !(*v > lo) : !(*v >= lo)) || *v > hi) {
      return seconds ? fmt::format("must be a duration (10, 10s, 500ms, 2m), {}", range)
                     : fmt::format("must be a number, {}", range);
    }
    c.*member = *v;
    return {};
  };
  return o;
}

LoadOption text_option(std::string_view flags, std::string_view help, std::string_view range,
                       std::function<std::string(const C&)> get,
                       std::function<std::string(C&, std::string_view)> set,
                       LoadOptionScope scope = LoadOptionScope::kLoad,
                       LoadOptionType type = LoadOptionType::kText) {
  LoadOption o;
  o.flags = flags;
  o.help = help;
  o.range = range;
  o.type = type;
  o.scope = scope;
  o.get = std::move(get);
  o.set = std::move(set);
  return o;
}

// A process to sample through /proc.
LoadOption pid_option(std::string_view flags, std::string_view help, int C::*member) {
  return text_option(
      flags, help, "a process id (0: none)", [member](const C& c) { return std::to_string(c.*member); },
      [member](C& c, std::string_view text) -> std::string {
        auto v = parse_u64(text);
        if (!v || *v > static_cast<std::uint64_t>(std::numeric_limits<int>::max()))
          return "must be a process id";
        c.*member = static_cast<int>(*v);
        return {};
      },
      LoadOptionScope::kRun, LoadOptionType::kUnsigned);
}

std::vector<LoadOption> make_table() {
  std::vector<LoadOption> t;
  t.push_back(text_option(
      "--url",
      "Server to load: http://HOST:PORT[/prefix] (https:// or wss:// for TLS); round-trip modes: the URL to "
      "request (path and query)",
      "an http://, https://, ws:// or wss:// URL; names are resolved once", [](const C& c) { return c.url; },
      [](C& c, std::string_view text) -> std::string {
        if (text.empty()) return "must be a URL such as http://127.0.0.1:8080";
        c.url = std::string(text);
        return {};
      },
      LoadOptionScope::kRun));
  t.push_back(text_option(
      "--tls-ca",
      "https/wss: trust the server certificate this PEM CA file signed (default: the system's CAs)",
      "a readable PEM file", [](const C& c) { return c.tls_ca; },
      [](C& c, std::string_view text) -> std::string {
        c.tls_ca = std::string(text);
        return {};
      },
      LoadOptionScope::kRun));
  {
    LoadOption o;
    o.flags = "--insecure";
    o.help = "https/wss: do not check the server certificate (the summary says so)";
    o.range = "a flag (true or false in a suite file)";
    o.type = LoadOptionType::kFlag;
    o.scope = LoadOptionScope::kRun;
    o.get = [](const C& c) { return std::string(c.insecure ? "true" : "false"); };
    o.set = [](C& c, std::string_view text) -> std::string {
      if (text != "true" && text != "1" && text != "false" && text != "0") return "must be true or false";
      c.insecure = text == "true" || text == "1";
      return {};
    };
    t.push_back(std::move(o));
  }
  t.push_back(text_option(
      "--proxy",
      "Reach the server through this forward proxy (squid, a corporate proxy): HTTP transports send "
      "absolute-form targets (GET http://HOST:PORT/...), WebSocket and every https/wss client open a CONNECT "
      "tunnel; the publisher goes straight to --url",
      "http://HOST:PORT", [](const C& c) { return c.proxy; },
      [](C& c, std::string_view text) -> std::string {
        std::string error;
        if (!text.empty() && !parse_forward_proxy(text, &error)) return error;
        c.proxy = std::string(text);
        return {};
      },
      LoadOptionScope::kRun));
  t.push_back(text_option(
      "--publish-url",
      "Publish to this server instead of --url: the server itself when --url is a reverse proxy or load "
      "balancer in front of it, so the proxy carries only the subscribers (same scheme as --url)",
      "an http:// or https:// URL; empty: --url", [](const C& c) { return c.publish_url; },
      [](C& c, std::string_view text) -> std::string {
        c.publish_url = std::string(text);
        return {};
      },
      LoadOptionScope::kRun));
  t.push_back(text_option(
      "--proxy-tunnel",
      "Which clients open a CONNECT tunnel through --proxy: auto (WebSocket, and all of https/wss), always, "
      "never (WebSocket sends its upgrade as a forwarded request: shows a proxy dropping Upgrade)",
      "auto, always or never",
      [](const C& c) {
        return std::string(c.proxy_tunnel == ProxyTunnel::kAlways  ? "always"
                           : c.proxy_tunnel == ProxyTunnel::kNever ? "never"
                                                                   : "auto");
      },
      [](C& c, std::string_view text) -> std::string {
        if (text == "auto") {
          c.proxy_tunnel = ProxyTunnel::kAuto;
        } else if (text == "always") {
          c.proxy_tunnel = ProxyTunnel::kAlways;
        } else if (text == "never") {
          c.proxy_tunnel = ProxyTunnel::kNever;
        } else {
          return "must be auto, always or never";
        }
        return {};
      }));
  t.push_back(text_option(
      "--tls-resume",
      "https/wss: offer the last TLS session on every new connection (on: abbreviated handshakes; off: a "
      "full "
      "handshake each time)",
      "on or off", [](const C& c) { return std::string(c.tls_resume ? "on" : "off"); },
      [](C& c, std::string_view text) -> std::string {
        if (text != "on" && text != "off") return "must be on or off";
        c.tls_resume = text == "on";
        return {};
      }));
  t.push_back(text_option(
      "--socket-counts",
      "Read TCP_INFO of every client socket at the measure window's edges for per-socket TCP segment counts "
      "(on); off: the host-wide counts only, for hundreds of thousands of connections, where reading every "
      "socket takes the generator seconds in the middle of the run",
      "on or off", [](const C& c) { return std::string(c.socket_counts ? "on" : "off"); },
      [](C& c, std::string_view text) -> std::string {
        if (text != "on" && text != "off") return "must be on or off";
        c.socket_counts = text == "on";
        return {};
      }));
  // Held for the program's life: options keep views of their help and range.
  static const std::string transport_help =
      "Subscriber transport: " + transport_names() +
      "; or a round-trip mode: http (keep-alive GETs of --url) or echo (WebSocket echo), see below";
  static const std::string transport_range = transport_names(", ") + ", http or echo";
  t.push_back(text_option(
      "--transport", transport_help, transport_range,
      [](const C& c) { return std::string(transport_name(c.transport)); },
      [](C& c, std::string_view text) -> std::string {
        auto kind = parse_transport(text);
        if (!kind) return "expected " + transport_choices();
        c.transport = *kind;
        return {};
      }));
  t.push_back(unsigned_option("-c,--clients", "Subscribers (round-trip modes: connections)",
                              "1-1,000,000 connections", &C::clients, 1, 1'000'000));
  t.push_back(number_option("-r,--rate",
                            "Events per second published (0: none, measures the idle cost); not in the "
                            "round-trip modes, which run no publisher",
                            "0-10,000,000 events/s", &C::rate, 0, false, 10'000'000));
  t.push_back(unsigned_option(
      "--payload-bytes", "Event text size (echo: message size); it starts with the '<seq> <send_ns> ' stamp",
      "1-1,000,000 bytes (the server refuses larger bodies by default)", &C::payload_bytes, 1, 1'000'000));
  t.push_back(unsigned_option("--pipeline",
                              "Round-trip modes: requests (http) or messages (echo) each connection keeps in "
                              "flight",
                              "1-1024 operations in flight", &C::pipeline, 1, 1024));
  t.push_back(
      number_option("--request-rate",
                    "--transport http: an open loop (like wrk2 -R) of this many requests per second in "
                    "all, spread evenly over the connections, latency counted from each request's "
                    "scheduled time (a late answer delays the next request, which still counts from "
                    "its schedule); 0: the closed loop",
                    "0-10,000,000 requests/s", &C::request_rate, 0, false, 10'000'000));
  t.push_back(text_option(
      "--channel", "Channel to publish to and subscribe on",
      "1-64 characters of A-Z a-z 0-9 . _ - (the server's rule)", [](const C& c) { return c.channel; },
      [](C& c, std::string_view text) -> std::string {
        if (!Hub::valid_channel_name(text))
          return "must be 1-64 characters of A-Z a-z 0-9 . _ - (the server's rule)";
        c.channel = std::string(text);
        return {};
      }));
  t.push_back(text_option(
      "--headers",
      "Subscriber request headers: minimal (Host only), browser (Firefox-like with a cookie, ~800 B "
      "request), chromium (the lines Chromium sent, recorded in results/browser/), or SIZE: pad X-Pad so "
      "the request head is SIZE bytes",
      "minimal, browser, chromium or a head size in bytes", [](const C& c) { return c.headers.name(); },
      [](C& c, std::string_view text) -> std::string {
        std::string error;
        auto profile = parse_header_profile(text, &error);
        if (!profile) return error;
        c.headers = *profile;
        return {};
      }));
  t.push_back(
      unsigned_option("--poll-interval-ms",
                      "Short polling: interval per client (first poll at a random phase in [0, interval))",
                      "1-3,600,000 ms", &C::poll_interval_ms, 1, 3'600'000));
  {
    LoadOption o;
    o.flags = "--connection-per-request";
    o.help = "Short polling: a new TCP connection per poll instead of keep-alive";
    o.range = "a flag (true or false in a suite file)";
    o.type = LoadOptionType::kFlag;
    o.get = [](const C& c) { return std::string(c.connection_per_request ? "true" : "false"); };
    o.set = [](C& c, std::string_view text) -> std::string {
      if (text == "true" || text == "1") {
        c.connection_per_request = true;
      } else if (text == "false" || text == "0") {
        c.connection_per_request = false;
      } else {
        return "must be true or false";
      }
      return {};
    };
    t.push_back(std::move(o));
  }
  t.push_back(unsigned_option("--longpoll-timeout-ms", "Long polling: timeout the client asks for",
                              "1-3,600,000 ms", &C::longpoll_timeout_ms, 1, 3'600'000));
  t.push_back(unsigned_option("--request-timeout-ms", "A connect or request unanswered this long is an error",
                              "1-3,600,000 ms", &C::request_timeout_ms, 1, 3'600'000));
  t.push_back(unsigned_option("--seed", "Seed of the random short-polling phases", "any whole number >= 0",
                              &C::seed, 0, std::numeric_limits<std::uint64_t>::max()));
  t.push_back(text_option(
      "--sources",
      "Local source addresses, round-robin: a list (127.0.0.2,127.0.0.3) or a count K (127.0.0.1 .. "
      "127.0.0.K+1), for more than ~28k connections to one server port",
      "IP addresses or a count 0-250",
      [](const C& c) {
        std::string list;
        for (const auto& s : c.sources) list += (list.empty() ? "" : ",") + format_address(s);
        return list;
      },
      [](C& c, std::string_view text) -> std::string {
        if (text.empty()) {
          c.sources.clear();
          return {};
        }
        std::string error;
        auto sources = parse_sources(text, &error);
        if (!sources) return error.substr(error.find(": ") == std::string::npos ? 0 : error.find(": ") + 2);
        c.sources = std::move(*sources);
        return {};
      },
      LoadOptionScope::kLoad, LoadOptionType::kList));
  t.push_back(number_option("--connect-rate", "New subscriber connections per second",
                            "above 0 and up to 1,000,000 connections/s", &C::connect_rate, 0, true,
                            1'000'000));
  t.push_back(unsigned_option(
      "--connect-batch",
      "Connects outstanding at once (more than somaxconn overflow the server's accept "
      "queue)",
      "1-4096 connects (somaxconn: the server's accept queue holds 4096)", &C::connect_batch, 1, 4096));
  t.push_back(number_option("--connect-timeout-s", "Connect phase limit; stragglers are timeouts",
                            "above 0 and up to 1 day", &C::connect_timeout_s, 0, true, 86'400, true));
  t.push_back(number_option("--warmup-s", "Warm-up, not measured", "0 to 1 day", &C::warmup_s, 0, false,
                            86'400, true));
  t.push_back(number_option("-d,--duration-s,--duration", "Measure phase", "above 0 and up to 1 week",
                            &C::duration_s, 0, true, 7 * 86'400, true));
  t.push_back(number_option("--drain-s",
                            "Longest wait for measured events still in flight (ends early once all arrived)",
                            "0 to 1 day", &C::drain_s, 0, false, 86'400, true));
  t.push_back(text_option(
      "--publish-via",
      "http (pipelined POST /publish), ws (text messages on a /ws connection; the echo carries the id), or "
      "auto: ws for --transport ws, else http",
      "auto, http or ws", [](const C& c) { return std::string(publish_via_name(c.publish_via)); },
      [](C& c, std::string_view text) -> std::string {
        auto via = parse_publish_via(text);
        if (!via) return "expected auto, http or ws";
        c.publish_via = *via;
        return {};
      }));
  t.push_back(unsigned_option("--max-in-flight",
                              "Unanswered publishes before slots are dropped (0: max(1000, 10 s of --rate))",
                              "0-100,000,000 publishes", &C::max_in_flight, 0, 100'000'000));
  t.push_back(number_option("--late-ms",
                            "A publish sent this long after its slot counts as late (0: a tenth of the "
                            "interval between events, at least 2 ms)",
                            "0 to 60,000 ms", &C::late_ms, 0, false, 60'000));
  t.push_back(unsigned_option(
      "--procs",
      "Generator processes sharing --clients (one publisher, one measure window, results merged exactly): "
      "for more connections than one process may hold descriptors for",
      "1-1000 processes", &C::procs, 1, 1000));
  t.push_back(text_option(
      "--procs-exec",
      "With --procs: words run before each generator process's command, {i} its index (e.g. 'ip netns exec "
      "gen{i}')",
      "words separated by spaces", [](const C& c) { return c.procs_exec; },
      [](C& c, std::string_view text) -> std::string {
        c.procs_exec = std::string(text);
        return {};
      },
      LoadOptionScope::kRun));
  t.push_back(pid_option(
      "--server-pid",
      "Server process to sample (/proc): CPU per 1000 events, RSS, memory per idle connection; with its "
      "children (the workers of serve --workers N)",
      &C::server_pid));
  t.push_back(
      pid_option("--proxy-pid",
                 "Proxy process between generator and server to sample like the server (nginx, HAProxy, "
                 "squid: the one process that proxies): proxy_cpu_us_per_op, proxy_bytes_per_idle_conn",
                 &C::proxy_pid));
  t.push_back(pid_option("--broker-pid",
                         "The server's shared broker (redis-server of serve --broker) to sample on its own: "
                         "broker_cpu_us_per_event, broker_rss_bytes",
                         &C::broker_pid));
  t.push_back(unsigned_option("--max-errors", "Exit 1 when connection errors exceed this",
                              "a whole number >= 0", &C::max_errors, 0,
                              std::numeric_limits<std::uint64_t>::max(), LoadOptionScope::kRun));
  t.push_back(text_option(
      "--max-p99-us", "Exit 1 when p99 latency exceeds this", "a number of microseconds >= 0",
      [](const C& c) { return c.max_p99_us ? number_text(*c.max_p99_us) : std::string(); },
      [](C& c, std::string_view text) -> std::string {
        if (text.empty()) {
          c.max_p99_us.reset();
          return {};
        }
        auto v = parse_number(text);
        if (!v || *v < 0) return "must be a number of microseconds >= 0";
        c.max_p99_us = *v;
        return {};
      },
      LoadOptionScope::kRun, LoadOptionType::kNumber));
  t.push_back(text_option(
      "--max-lost", "Exit 1 when more events than this are lost", "a whole number >= 0",
      [](const C& c) { return c.max_lost ? std::to_string(*c.max_lost) : std::string(); },
      [](C& c, std::string_view text) -> std::string {
        if (text.empty()) {
          c.max_lost.reset();
          return {};
        }
        auto v = parse_u64(text);
        if (!v) return "must be a whole number >= 0";
        c.max_lost = *v;
        return {};
      },
      LoadOptionScope::kRun, LoadOptionType::kUnsigned));
  return t;
}

Json typed(const LoadOption& o, const std::string& text) {
  if (text.empty() && o.type != LoadOptionType::kText && o.type != LoadOptionType::kList) return nullptr;
  switch (o.type) {
    case LoadOptionType::kUnsigned:
      return std::strtoull(text.c_str(), nullptr, 10);
    case LoadOptionType::kNumber:
    case LoadOptionType::kSeconds:
      return std::strtod(text.c_str(), nullptr);
    case LoadOptionType::kFlag:
      return text == "true";
    case LoadOptionType::kList: {
      auto array = Json::array();
      std::string_view rest = text;
      while (!rest.empty()) {
        auto comma = rest.find(',');
        array.push_back(std::string(rest.substr(0, comma)));
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
      return array;
    }
    case LoadOptionType::kText:
      break;
  }
  return text;
}

// A JSON member as the command line would spell it; nullopt when its JSON type does not fit the option.
std::optional<std::string> as_text(const LoadOption& o, const Json& v) {
  if (v.is_null()) return std::string();
  switch (o.type) {
    case LoadOptionType::kUnsigned:
      if (v.is_number_unsigned()) return std::to_string(v.get<std::uint64_t>());
      if (v.is_number_integer() || v.is_number_float()) return number_text(v.get<double>());
      return std::nullopt;
    case LoadOptionType::kNumber:
      if (v.is_number()) return number_text(v.get<double>());
      return std::nullopt;
    case LoadOptionType::kSeconds:
      if (v.is_number()) return number_text(v.get<double>());
      if (v.is_string()) return v.get<std::string>();
      return std::nullopt;
    case LoadOptionType::kFlag:
      if (v.is_boolean()) return std::string(v.get<bool>() ? "true" : "false");
      return std::nullopt;
    case LoadOptionType::kList: {
      if (v.is_string()) return v.get<std::string>();
      if (v.is_number_unsigned()) return std::to_string(v.get<std::uint64_t>());
      if (!v.is_array()) return std::nullopt;
      std::string list;
      for (const auto& item : v) {
        if (!item.is_string()) return std::nullopt;
        list += (list.empty() ? "" : ",") + item.get<std::string>();
      }
      return list;
    }
    case LoadOptionType::kText:
      if (v.is_string()) return v.get<std::string>();
      if (v.is_number_unsigned()) return std::to_string(v.get<std::uint64_t>());
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

std::string LoadOption::long_name() const {
  // The last "--name" of the spelling is the canonical one ("-d,--duration-s,--duration": the first long).
  std::string_view f = flags;
  std::string_view best;
  while (!f.empty()) {
    auto comma = f.find(',');
    std::string_view item = f.substr(0, comma);
    if (item.starts_with("--") && best.empty()) best = item;
    if (comma == std::string_view::npos) break;
    f.remove_prefix(comma + 1);
  }
  return std::string(best);
}

std::string LoadOption::json_name() const {
  std::string name = long_name().substr(2);
  for (char& ch : name) {
    if (ch == '-') ch = '_';
  }
  return name;
}

const std::vector<LoadOption>& load_option_table() {
  static const std::vector<LoadOption> table = make_table();
  return table;
}

const LoadOption* find_load_option(std::string_view name) {
  for (const auto& o : load_option_table()) {
    if (o.long_name() == name || o.json_name() == name) return &o;
  }
  return nullptr;
}

void add_load_options(CLI::App& command, LoadConfig& config) {
  const LoadConfig defaults;
  for (const auto& o : load_option_table()) {
    std::string help = fmt::format("{}. Range: {}", o.help, o.range);
    const std::string name = o.long_name();
    if (o.type == LoadOptionType::kFlag) {
      command.add_flag_function(
          std::string(o.flags),
          [&config, &o](std::int64_t count) { o.set(config, count > 0 ? "true" : "false"); },
          std::string(o.help));
      continue;
    }
    CLI::Option* option = command.add_option_function<std::string>(
        std::string(o.flags),
        [&config, &o, name](const std::string& text) {
          if (std::string why = o.set(config, text); !why.empty()) {
            throw CLI::ValidationError(fmt::format("{} {}", name, text), why);
          }
        },
        help);
    if (std::string d = o.get(defaults); !d.empty()) option->default_str(d);
    if (o.type == LoadOptionType::kUnsigned || o.type == LoadOptionType::kNumber) {
      option->type_name("NUMBER");
    } else if (o.type == LoadOptionType::kSeconds) {
      option->type_name("DURATION");
    }
  }
}

std::vector<std::string> load_option_argv(const LoadConfig& config, LoadOptionScope scope, bool all) {
  const LoadConfig defaults;
  std::vector<std::string> argv;
  for (const auto& o : load_option_table()) {
    if (o.scope != scope) continue;
    std::string value = o.get(config);
    if (!all && value == o.get(defaults)) continue;
    if (o.type == LoadOptionType::kFlag) {
      if (value == "true") argv.push_back(o.long_name());
      continue;
    }
    if (value.empty()) continue;  // an unset optional
    argv.push_back(o.long_name());
    argv.push_back(std::move(value));
  }
  return argv;
}

Json load_options_json(const LoadConfig& config, LoadOptionScope scope, bool only_changed) {
  const LoadConfig defaults;
  auto object = Json::object();
  for (const auto& o : load_option_table()) {
    if (o.scope != scope) continue;
    std::string value = o.get(config);
    if (only_changed && value == o.get(defaults)) continue;
    object[o.json_name()] = typed(o, value);
  }
  return object;
}

bool apply_load_options_json(const Json& object, LoadConfig& config, std::span<const LoadOptionScope> allowed,
                             std::string* error) {
  auto fail = [&](std::string why) {
    if (error != nullptr) *error = std::move(why);
    return false;
  };
  if (!object.is_object()) return fail("the load options must be a JSON object of option names and values");
  for (const auto& [key, value] : object.items()) {
    const LoadOption* o = find_load_option(key);
    if (o == nullptr || o->json_name() != key) {
      std::string known;
      for (const auto& option : load_option_table()) {
        for (auto s : allowed) {
          if (option.scope == s) known += (known.empty() ? "" : ", ") + option.json_name();
        }
      }
      return fail(fmt::format("\"{}\" is not a load option; known: {}", key, known));
    }
    bool ok_scope = false;
    for (auto s : allowed) ok_scope = ok_scope || s == o->scope;
    if (!ok_scope) return fail(fmt::format("\"{}\" belongs to one run, not to a suite point", key));
    auto text = as_text(*o, value);
    if (!text)
      return fail(fmt::format("\"{}\": {} has the wrong JSON type; it {}", key, value.dump(), o->range));
    if (std::string why = o->set(config, *text); !why.empty()) {
      return fail(fmt::format("\"{}\": {} {}", key, value.dump(), why));
    }
  }
  return true;
}

std::optional<double> parse_seconds(std::string_view text) {
  double scale = 1;
  if (text.ends_with("ms")) {
    scale = 0.001;
    text.remove_suffix(2);
  } else if (text.ends_with("s")) {
    text.remove_suffix(1);
  } else if (text.ends_with("m")) {
    scale = 60;
    text.remove_suffix(1);
  } else if (text.ends_with("h")) {
    scale = 3600;
    text.remove_suffix(1);
  }
  auto v = parse_number(text);
  if (!v) return std::nullopt;
  return *v * scale;
}

}  // namespace rtb
