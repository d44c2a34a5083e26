#include "harness/scenario/load_command.hpp"

#include <fmt/format.h>

#include <unistd.h>

#include <cstdio>
#include <utility>

#include "harness/metrics/json.hpp"
#include "harness/scenario/error_tally.hpp"
#include "harness/scenario/load_options.hpp"
#include "harness/scenario/load_report.hpp"
#include "harness/scenario/load_run.hpp"
#include "harness/scenario/load_summary.hpp"
#include "harness/scenario/load_thresholds.hpp"
#include "harness/scenario/procs_load_run.hpp"
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
      "\nDurations (--duration-s, --warmup-s, --drain-s, --connect-timeout-s) take seconds or a unit, as "
      "wrk\n"
      "and k6 do: 10, 10s, 500ms, 2m, 1h.\n"
      "\nExit status: 0 passed; 1 a threshold was missed (--max-errors, --max-p99-us, --max-lost) or, with\n"
      "--strict, a figure is suspect;\n"
      "2 a usage error (an unknown option, a value out of its range: the message names it) or the run\n"
      "could not take place or its output could not be written.\n"
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
  add_load_options(*load, c);
  load->add_option("--csv", o.csv_path,
                   "Append one result row to this CSV file (header when new); checked before the run");
  load->add_option("--json", o.json_path, "Write the full result with metadata to this JSON file");
  load->add_option("--spectrum", o.spectrum_path, "Write the latency percentile spectrum (.hgrm text, us)");
  load->add_option(
      "--hdr-log", o.hdr_log_path,
      "Write the latency histogram as an HdrHistogram interval log (.hlog, ns; one interval: the "
      "measure window), for HdrHistogram's own tools");
  load->add_flag("-q,--quiet", o.quiet, "No live progress line");
  load->add_option("--summary", o.summary,
                   "text (the wrk-like summary) or json (one line on stdout for scripts: the result columns, "
                   "warnings and suspects)")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  load->add_flag(
      "--strict", o.strict,
      "Exit 1 when a figure contradicts its model or a second counter (SUSPECT lines in the summary)");
  // A generator process of a --procs run: it talks to its parent on stdin/stdout (procs_protocol.md).
  load->add_option("--proc-index", c.proc_index, "Internal: this process's index in a --procs run")
      ->group("");
  load->add_option("--procs-sharing-sources", c.procs_sharing_sources,
                   "Internal: the --procs processes sharing source addresses (each binds its slice of ports)")
      ->group("");
  o.command = load;
  return load;
}

int run_load_command(LoadCommandOptions& o, const std::vector<std::string>& argv) {
  LoadConfig& c = o.config;
  auto fail = [](const std::string& why) {
    fmt::print(stderr, "rtbench load: {}\n", why);
    return 2;
  };
  const std::string transport(transport_name(c.transport));
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
          name, transport, c.transport == TransportKind::http() ? "request" : "message", name));
    }
    if (c.transport == TransportKind::http() && given("--payload-bytes")) {
      return fail(
          "--payload-bytes: --transport http sends a bodiless GET of --url; drop it (echo mode sends "
          "messages of that size)");
    }
  } else if (given("--pipeline")) {
    return fail(
        fmt::format("--pipeline applies to --transport http and echo; --transport {} is paced by its "
                    "publisher, so drop --pipeline",
                    transport));
  }
  std::string error;
  if (std::string e = validate_load_config(c); !e.empty()) return fail(e);
  // Every output file is checked before anything is measured: a typo must not cost a whole run.
  for (const auto& [flag, path] : {std::pair<const char*, const std::string&>{"--csv", o.csv_path},
                                   {"--json", o.json_path},
                                   {"--spectrum", o.spectrum_path},
                                   {"--hdr-log", o.hdr_log_path}}) {
    if (!path.empty() && !check_output_file(path, &error)) return fail(fmt::format("{}: {}", flag, error));
  }

  RunMetadata meta = collect_run_metadata(argv);
  if (c.proc_index >= 0) {
    // Its stdout is the protocol and its parent judges the thresholds: only the result file is written.
    if (c.procs > 1) return fail("--proc-index is set by --procs for its processes; give one or the other");
    if (o.json_path.empty())
      return fail("--proc-index needs --json: the file its parent reads the result from");
    LoadOutcome part = run_load(c, nullptr);
    if (!part.ok) return fail(part.error);
    if (!write_text_file(o.json_path, load_result_json(c, part.result, meta), &error)) {
      return fail("--json: " + error);
    }
    return 0;
  }
  auto run = [&](LoadObserver* observer) {
    return c.procs > 1 ? run_procs_load(c, observer) : run_load(c, observer);
  };
  LoadOutcome outcome;
  // On a terminal the header comes first, so the reader knows what runs while the progress line moves; in a
  // log (not a terminal) the whole summary comes at the end, in one piece.
  const bool json_summary = o.summary == "json";
  const bool terminal = !json_summary && isatty(fileno(stdout)) != 0;
  if (terminal) {
    fmt::print("{}", load_header(c, nullptr));
    std::fflush(stdout);
  }
  if (ProgressLine::should_show(stderr, o.quiet)) {
    ProgressLine progress(stderr);
    outcome = run(&progress);
  } else {
    outcome = run(nullptr);
  }
  if (!outcome.ok) return fail(outcome.error);
  const LoadResult& r = outcome.result;

  if (json_summary) {
    Json line = load_result_columns_json(r);
    line["warnings"] = r.warnings;
    line["suspects"] = r.suspects;
    fmt::print("{}\n", json_text(line, -1));
  } else if (terminal) {
    fmt::print("  request head: {} B\n{}", r.request_head_bytes, load_result_text(c, r));
  } else {
    fmt::print("{}", load_summary(c, r));
  }
  std::fflush(stdout);
  int status = 0;
  if (!o.csv_path.empty() && !append_load_result_csv(o.csv_path, r, &error)) status = fail("--csv: " + error);
  if (!o.json_path.empty() && !write_text_file(o.json_path, load_result_json(c, r, meta), &error)) {
    status = fail("--json: " + error);
  }
  if (!o.spectrum_path.empty() && !write_text_file(o.spectrum_path, r.latency.spectrum_text(1000), &error)) {
    status = fail("--spectrum: " + error);
  }
  if (!o.hdr_log_path.empty() && !write_text_file(o.hdr_log_path, load_result_hdr_log(r), &error)) {
    status = fail("--hdr-log: " + error);
  }
  if (status != 0) return status;
  auto failures = threshold_failures(c, r);
  if (o.strict) {
    for (const auto& s : r.suspects) failures.push_back("--strict: suspect " + s);
  }
  for (const auto& f : failures) fmt::print(stderr, "rtbench load: FAILED: {}\n", f);
  return failures.empty() ? 0 : 1;
}

}  // namespace rtb
