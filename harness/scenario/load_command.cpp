#include "harness/scenario/load_command.hpp"

#include <fmt/format.h>

#include <cstdio>

#include "harness/scenario/error_tally.hpp"
#include "harness/scenario/load_report.hpp"
#include "harness/scenario/load_run.hpp"
#include "harness/scenario/load_summary.hpp"
#include "harness/scenario/load_thresholds.hpp"
#include "harness/scenario/progress_line.hpp"
#include "harness/scenario/run_metadata.hpp"

namespace rtb {

namespace {

// Options of the publisher and the subscribers that mean nothing in a round-trip mode.
constexpr const char* kNotForRoundTrips[] = {"--rate",
                                             "--publish-via",
                                             "--max-in-flight",
                                             "--late-ms",
                                             "--poll-interval-ms",
                                             "--channel",
                                             "--seed",
                                             "--connection-per-request",
                                             "--longpoll-timeout-ms"};

std::string help_footer() {
  std::string out =
      "\nPhases: connect (in batches) -> settle (idle memory sampled) -> warm-up -> measure -> drain.\n"
      "Events are attributed to a phase by their scheduled send time; latency runs from that time to\n"
      "reception, so a stalled server or a late publisher shows as latency (no coordinated omission).\n"
      "\nRound-trip modes (closed loop, no publisher, no subscribers; work against any server):\n"
      "  --transport http   each of the --clients keep-alive connections sends GET <path and query of "
      "--url>\n"
      "                     (with the --headers profile) and the next one as soon as the answer is "
      "complete,\n"
      "                     --pipeline K in flight. 2xx/3xx/4xx answers count (by class), 5xx are errors.\n"
      "  --transport echo   each connection is a WebSocket to the --url's path (default /echo) keeping\n"
      "                     --pipeline K text messages of --payload-bytes in flight; each carries its send\n"
      "                     time and a sequence number, so latency and lost/duplicated/reordered echoes are\n"
      "                     read from the echo.\n"
      "  Latency is the round trip (send -> complete answer); an operation belongs to the measure phase by\n"
      "  its send time and sending stops at the measure end. The summary gives round trips/s and CPU per\n"
      "  round trip of the generator and (--server-pid) the server. --rate, --publish-via, --max-in-flight,\n"
      "  --late-ms, --channel, --seed and the polling options do not apply and are refused; so is\n"
      "  --payload-bytes for http.\n"
      "\nConnection error kinds (CSV columns errors_<kind>):\n";
  for (auto kind : kAllClientErrorKinds) {
    out += fmt::format("  {:<12} {}\n", client_error_name(kind), client_error_explanation(kind));
  }
  out +=
      "\nExit status: 0 passed; 1 a threshold was missed (--max-errors, --max-p99-us, --max-lost);\n"
      "2 the run could not take place or its output could not be written.\n"
      "CSV columns are documented in harness/scenario/README.md.\n";
  return out;
}

}  // namespace

CLI::App* add_load_command(CLI::App& app, LoadCommandOptions& o) {
  LoadConfig& c = o.config;
  CLI::App* load = app.add_subcommand(
      "load",
      "Drive a server: N subscribers of one transport, an open-loop publisher, measured latency and cost");
  load->footer(help_footer());
  load->add_option(
          "--url", c.url,
          "Server to load: http://HOST:PORT[/prefix]; round-trip modes: the URL to request (path and query)")
      ->capture_default_str();
  load->add_option("--transport", o.transport,
                   "Subscriber transport: poll, longpoll, sse or ws; or a round-trip mode: http (keep-alive "
                   "GETs of --url) or echo (WebSocket echo), see below")
      ->capture_default_str();
  load->add_option("-c,--clients", c.clients, "Subscribers (round-trip modes: connections)")
      ->capture_default_str();
  load->add_option("-r,--rate", c.rate,
                   "Events per second published (0: none, measures the idle cost); not in the round-trip "
                   "modes, which run no publisher")
      ->capture_default_str();
  load->add_option("--payload-bytes", c.payload_bytes,
                   "Event text size (echo: message size); it starts with the '<seq> <send_ns> ' stamp")
      ->capture_default_str();
  load->add_option("--pipeline", c.pipeline,
                   "Round-trip modes: requests (http) or messages (echo) each connection keeps in flight")
      ->capture_default_str();
  load->add_option("--channel", c.channel, "Channel to publish to and subscribe on")->capture_default_str();
  load->add_option(
          "--headers", o.headers,
          "Subscriber request headers: minimal (Host only), browser (Firefox-like with a cookie, "
          "~800 B request), chromium (the lines Chromium sent, recorded in results/browser/), or SIZE: pad "
          "X-Pad so the request head is SIZE bytes")
      ->capture_default_str();
  load->add_option("--poll-interval-ms", c.poll_interval_ms,
                   "Short polling: interval per client (first poll at a random phase in [0, interval))")
      ->capture_default_str();
  load->add_flag("--connection-per-request", c.connection_per_request,
                 "Short polling: a new TCP connection per poll instead of keep-alive");
  load->add_option("--longpoll-timeout-ms", c.longpoll_timeout_ms,
                   "Long polling: timeout the client asks for")
      ->capture_default_str();
  load->add_option("--request-timeout-ms", c.request_timeout_ms, "A request unanswered this long is an error")
      ->capture_default_str();
  load->add_option("--seed", c.seed, "Seed of the random short-polling phases")->capture_default_str();
  load->add_option("--sources", o.sources,
                   "Local source addresses, round-robin: a list (127.0.0.2,127.0.0.3) or a count K "
                   "(127.0.0.1 .. 127.0.0.K+1), for more than ~28k connections to one server port");
  load->add_option("--connect-rate", c.connect_rate, "New subscriber connections per second")
      ->capture_default_str();
  load->add_option("--connect-batch", c.connect_batch,
                   "Connects outstanding at once (<= 4096, the accept queue's somaxconn)")
      ->capture_default_str();
  load->add_option("--connect-timeout-s", c.connect_timeout_s, "Connect phase limit; stragglers are timeouts")
      ->capture_default_str();
  load->add_option("--warmup-s", c.warmup_s, "Warm-up, not measured")->capture_default_str();
  load->add_option("-d,--duration-s", c.duration_s, "Measure phase")->capture_default_str();
  load->add_option("--drain-s", c.drain_s,
                   "Longest wait for measured events still in flight (ends early once all arrived)")
      ->capture_default_str();
  load->add_option(
          "--publish-via", o.publish_via,
          "http (pipelined POST /publish), ws (text messages on a /ws connection; the echo carries the id), "
          "or auto: ws for --transport ws, else http")
      ->capture_default_str();
  load->add_option("--max-in-flight", c.max_in_flight,
                   "Unanswered publishes before slots are dropped (0: max(1000, 10 s of --rate))")
      ->capture_default_str();
  load->add_option("--late-ms", c.late_ms, "A publish sent this long after its slot counts as late")
      ->capture_default_str();
  load->add_option("--server-pid", c.server_pid,
                   "Server process to sample (/proc): CPU per 1000 events, RSS, memory per idle connection");
  load->add_option("--max-errors", c.max_errors, "Exit 1 when connection errors exceed this")
      ->capture_default_str();
  o.max_p99_option = load->add_option("--max-p99-us", o.max_p99_us, "Exit 1 when p99 latency exceeds this");
  o.max_lost_option =
      load->add_option("--max-lost", o.max_lost, "Exit 1 when more events than this are lost");
  load->add_option("--csv", o.csv_path, "Append one result row to this CSV file (header when new)");
  load->add_option("--json", o.json_path, "Write the full result with metadata to this JSON file");
  load->add_option("--spectrum", o.spectrum_path, "Write the latency percentile spectrum (.hgrm text, us)");
  load->add_flag("-q,--quiet", o.quiet, "No live progress line");
  o.command = load;
  return load;
}

int run_load_command(LoadCommandOptions& o, const std::vector<std::string>& argv) {
  LoadConfig& c = o.config;
  auto fail = [](const std::string& why) {
    fmt::print(stderr, "rtbench load: {}\n", why);
    return 2;
  };
  auto transport = parse_transport(o.transport);
  if (!transport) {
    return fail(
        fmt::format("--transport {}: expected poll, longpoll, sse or ws, or a round-trip mode (http, echo)",
                    o.transport));
  }
  c.transport = *transport;
  auto given = [&](const char* name) {
    const CLI::Option* option = o.command != nullptr ? o.command->get_option_no_throw(name) : nullptr;
    return option != nullptr && option->count() > 0;
  };
  if (is_round_trip(c.transport)) {
    for (const char* name : kNotForRoundTrips) {
      if (!given(name)) continue;
      return fail(fmt::format(
          "{}: --transport {} runs no publisher and no subscribers (a closed loop: each connection sends "
          "its next {} when an answer is complete); drop {}, and use --clients and --pipeline to set the "
          "load",
          name, o.transport, c.transport == TransportKind::kHttp ? "request" : "message", name));
    }
    if (c.transport == TransportKind::kHttp && given("--payload-bytes")) {
      return fail(
          "--payload-bytes: --transport http sends a bodiless GET of --url; drop it (echo mode sends "
          "messages of that size)");
    }
  } else if (given("--pipeline")) {
    return fail(
        fmt::format("--pipeline applies to --transport http and echo; --transport {} is paced by its "
                    "publisher, so drop --pipeline",
                    o.transport));
  }
  std::string error;
  auto headers = parse_header_profile(o.headers, &error);
  if (!headers) return fail(error);
  c.headers = *headers;
  if (!o.sources.empty()) {
    auto sources = parse_sources(o.sources, &error);
    if (!sources) return fail(error);
    c.sources = std::move(*sources);
  }
  auto via = parse_publish_via(o.publish_via);
  if (!via) return fail(fmt::format("--publish-via {}: expected auto, http or ws", o.publish_via));
  c.publish_via = *via;
  if (o.max_p99_option != nullptr && o.max_p99_option->count() > 0) c.max_p99_us = o.max_p99_us;
  if (o.max_lost_option != nullptr && o.max_lost_option->count() > 0) c.max_lost = o.max_lost;
  if (std::string e = validate_load_config(c); !e.empty()) return fail(e);

  RunMetadata meta = collect_run_metadata(argv);
  LoadOutcome outcome;
  if (ProgressLine::should_show(stderr, o.quiet)) {
    ProgressLine progress(stderr);
    outcome = run_load(c, &progress);
  } else {
    outcome = run_load(c, nullptr);
  }
  if (!outcome.ok) return fail(outcome.error);
  const LoadResult& r = outcome.result;

  fmt::print("{}", load_summary(c, r));
  std::fflush(stdout);
  int status = 0;
  if (!o.csv_path.empty() && !append_load_result_csv(o.csv_path, r, &error)) status = fail("--csv: " + error);
  if (!o.json_path.empty() && !write_text_file(o.json_path, load_result_json(c, r, meta), &error)) {
    status = fail("--json: " + error);
  }
  if (!o.spectrum_path.empty() && !write_text_file(o.spectrum_path, r.latency.spectrum_text(1000), &error)) {
    status = fail("--spectrum: " + error);
  }
  if (status != 0) return status;
  auto failures = threshold_failures(c, r);
  for (const auto& f : failures) fmt::print(stderr, "rtbench load: FAILED: {}\n", f);
  return failures.empty() ? 0 : 1;
}

}  // namespace rtb
