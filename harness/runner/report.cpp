#include "harness/runner/report.hpp"

#include <fmt/format.h>

#include <cmath>

#include "harness/runner/aggregate.hpp"
#include "harness/runner/baseline_comparison.hpp"
#include "harness/runner/kaazing_table.hpp"
#include "harness/runner/model_check.hpp"
#include "harness/runner/proxy_report.hpp"
#include "harness/runner/result_figures.hpp"
#include "harness/runner/scale_report.hpp"

namespace rtb {

namespace {

std::string cell(const CaseResults& c, const ResultFigure& f, int decimals, double scale = 1) {
  return format_spread(spread_of(c.results, f), decimals, scale);
}

std::string join_args(const std::vector<std::string>& args) {
  std::string s;
  for (const auto& a : args) s += (s.empty() ? "" : " ") + a;
  return s;
}

// Latency in the unit that keeps three significant figures readable: ms.
int latency_decimals(const CaseResults& c) {
  double p50 = spread_of(c.results, [](const LoadResult& r) { return r.p50_us; }).median;
  return std::isfinite(p50) && p50 >= 100'000 ? 0 : (p50 >= 10'000 ? 1 : 2);
}

std::string results_table(const std::vector<CaseResults>& cases) {
  std::string out =
      "| point | transport | clients | events/s delivered | p50 ms | p99 ms | app B/event | wire B/event | "
      "requests/event | server CPU ms per 1k events | server B/conn | kernel B/socket | lost |\n"
      "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& c : cases) {
    if (c.results.empty()) {
      out += fmt::format("| {} | {} | no result | | | | | | | | | | |\n", c.point, c.transport);
      continue;
    }
    if (c.results.front()->rate <= 0) continue;
    const int ld = latency_decimals(c);
    std::uint64_t lost = 0;
    for (const auto* r : c.results) lost += r->lost;
    out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", c.point,
                       c.transport, c.results.front()->clients,
                       cell(
                           c, [](const LoadResult& r) { return r.events_per_s; }, 0),
                       cell(
                           c, [](const LoadResult& r) { return r.p50_us; }, ld, 1e-3),
                       cell(
                           c, [](const LoadResult& r) { return r.p99_us; }, ld, 1e-3),
                       cell(c, app_bytes_per_event, 0), cell(c, wire_bytes_per_event, 0),
                       cell(
                           c, [](const LoadResult& r) { return r.requests_per_event; }, 3),
                       cell(
                           c, [](const LoadResult& r) { return r.server_cpu_s_per_1k_events; }, 2, 1e3),
                       cell(
                           c, [](const LoadResult& r) { return r.server_bytes_per_idle_conn; }, 0),
                       cell(
                           c, [](const LoadResult& r) { return r.kernel_socket_bytes_per_conn; }, 0),
                       lost);
  }
  return out;
}

std::string bytes_table(const std::vector<CaseResults>& cases) {
  std::string out =
      "| point | transport | headers B/event | framing B/event | payload B/event | up B/event | down B/event "
      "| "
      "TCP segments/event | HTTP heads B/request |\n"
      "|---|---|---:|---:|---:|---:|---:|---:|---:|\n";
  bool any = false;
  for (const auto& c : cases) {
    if (c.results.empty() || c.results.front()->rate <= 0) continue;
    any = true;
    out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", c.point, c.transport,
                       cell(
                           c, [](const LoadResult& r) { return r.header_bytes_per_event; }, 1),
                       cell(
                           c, [](const LoadResult& r) { return r.framing_bytes_per_event; }, 1),
                       cell(
                           c, [](const LoadResult& r) { return r.payload_bytes_per_event; }, 1),
                       cell(
                           c, [](const LoadResult& r) { return r.bytes_up_per_event; }, 1),
                       cell(
                           c, [](const LoadResult& r) { return r.bytes_down_per_event; }, 1),
                       cell(
                           c, [](const LoadResult& r) { return r.tcp_segments_per_event; }, 2),
                       cell(c, header_bytes_per_request, 0));
  }
  return any ? out : std::string();
}

// What one HTTP request costs: where polling spends its server CPU (anchor: kNginxAnchor).
std::string request_table(const std::vector<CaseResults>& cases) {
  std::string out =
      "| point | transport | requests/s | server CPU us per request | TCP segments per request | app B per "
      "request |\n"
      "|---|---|---:|---:|---:|---:|\n";
  bool any = false;
  auto per_request = [](double total, const LoadResult& r) {
    return r.requests == 0 ? NAN : total / static_cast<double>(r.requests);
  };
  for (const auto& c : cases) {
    if (c.results.empty() || c.results.front()->requests == 0) continue;
    any = true;
    out += fmt::format(
        "| {} | {} | {} | {} | {} | {} |\n", c.point, c.transport,
        cell(
            c, [](const LoadResult& r) { return r.requests_per_s; }, 0),
        cell(
            c, [&](const LoadResult& r) { return per_request(r.server_cpu_s * 1e6, r); }, 1),
        cell(
            c, [&](const LoadResult& r) { return per_request(static_cast<double>(r.tcp_segments), r); }, 2),
        cell(
            c,
            [&](const LoadResult& r) {
              return per_request(static_cast<double>(r.bytes_up + r.bytes_down), r);
            },
            0));
  }
  return any ? out : std::string();
}

std::string idle_table(const std::vector<CaseResults>& cases) {
  std::string out =
      "| point | transport | clients | requests/s per client | app B/s per client | wire B/s per client | "
      "server "
      "CPU % of a core | server B/conn | kernel B/socket |\n"
      "|---|---|---:|---:|---:|---:|---:|---:|---:|\n";
  bool any = false;
  for (const auto& c : cases) {
    if (c.results.empty() || c.results.front()->rate > 0) continue;
    any = true;
    out += fmt::format(
        "| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", c.point, c.transport, c.results.front()->clients,
        cell(c, requests_per_s_per_client, 3), cell(c, app_bytes_per_s_per_client, 1),
        cell(
            c,
            [](const LoadResult& r) {
              return r.connected == 0 ? NAN : wire_bytes_per_s(r) / static_cast<double>(r.connected);
            },
            1),
        cell(
            c,
            [](const LoadResult& r) { return r.duration_s > 0 ? r.server_cpu_s / r.duration_s * 100 : NAN; },
            1),
        cell(
            c, [](const LoadResult& r) { return r.server_bytes_per_idle_conn; }, 0),
        cell(
            c, [](const LoadResult& r) { return r.kernel_socket_bytes_per_conn; }, 0));
  }
  return any ? out : std::string();
}

// Every figure that contradicted its model or a second counter, per run, with the reason.
std::string suspects(const std::vector<RunRecord>& records) {
  std::string out;
  for (const auto& r : records) {
    if (!r.result) continue;
    for (const auto& text : r.result->suspects) out += fmt::format("- `{}`: {}\n", r.run_id, text);
  }
  return out;
}

std::string warnings(const std::vector<RunRecord>& records) {
  std::string out;
  for (const auto& r : records) {
    if (!r.result) continue;
    const LoadResult& x = *r.result;
    std::vector<std::string> w;
    if (x.lost > 0) w.push_back(fmt::format("{} events lost", x.lost));
    if (x.errors_total > 0) w.push_back(fmt::format("{} connection errors", x.errors_total));
    if (x.generator_bottleneck != 0) {
      w.push_back(fmt::format("generator at {:.0f}% of a core: the numbers may measure the generator",
                              x.generator_cpu_pct));
    }
    if (x.publish_dropped > 0) w.push_back(fmt::format("{} publishes dropped", x.publish_dropped));
    if (x.gap_reports > 0) w.push_back(fmt::format("{} history gaps", x.gap_reports));
    if (r.load_exit_status != 0) w.push_back(fmt::format("rtbench load exited {}", r.load_exit_status));
    for (const auto& text : x.warnings) w.push_back(text);  // the generator's own warnings, verbatim
    if (!w.empty()) {
      std::string joined;
      for (const auto& s : w) joined += (joined.empty() ? "" : ", ") + s;
      out += fmt::format("- `{}`: {}\n", r.run_id, joined);
    }
  }
  return out;
}

}  // namespace

std::string measurement_note(int cores) {
  return fmt::format(
      "Benchmark numbers from a noisy {} machine where the server and the load generator share it (each "
      "pinned to its own core when there are two), on loopback: throughput varies about ±20% from run to run "
      "here, server CPU per event is steadier; compare transports within one run, as ratios.",
      cores > 0 ? fmt::format("{}-core", cores) : std::string("small"));
}

std::string render_report(const ReportContext& x, const std::vector<RunRecord>& records) {
  const auto cases = group_cases(records, x.suite);
  std::string out = fmt::format("# rtbench results: suite `{}`\n\n", x.suite_name);
  if (x.suite != nullptr) out += x.suite->purpose + "\n\n";
  if (x.interrupted) out += "**The suite was interrupted: the tables hold the runs that finished.**\n\n";
  out += "> " + measurement_note(x.cores) + "\n\n";
  if (x.busy_host) {
    out += fmt::format(
        "**Other work was running on this host ({}): these numbers are noisier than usual; "
        "the min–max ranges show how much.**\n\n",
        x.load.empty() ? std::string("see the warnings") : x.load);
  }

  if (x.suite != nullptr) {
    out += "## Points\n\n";
    for (const auto& p : x.suite->points) {
      std::string transports;
      for (auto t : p.transports)
        transports += (transports.empty() ? "" : ", ") + std::string(transport_name(t));
      out += fmt::format("- `{}`: {} ({}{}{})\n", p.tag, p.note.empty() ? "-" : p.note, transports,
                         p.server_args.empty() ? "" : "; server ", join_args(p.server_args));
    }
    for (const auto& n : x.suite->notes) out += fmt::format("- Note: {}\n", n);
    out += "\n";
  }

  const std::string main_table = results_table(cases);
  const std::string idle = idle_table(cases);
  out += fmt::format("## Results (median [min–max] over {} repetitions)\n\n", x.repeat);
  if (main_table.find('\n', main_table.find("|---")) + 1 < main_table.size()) {
    out += main_table + "\n";
    out +=
        "Latency: publish to receive, one way, from each event's scheduled send time. app B/event: "
        "application "
        "bytes (HTTP heads, framing, payload; up + down) per delivered event; wire B/event adds 52 B per TCP "
        "segment (ACKs included). server B/conn: server RSS growth per idle connection; kernel B/socket: "
        "the kernel's structures for one socket (tcp_sock, inode, file, dentry, epoll entry; /proc/slabinfo "
        "growth over the connect phase per socket, 2 per connection on loopback; socket buffers of idle "
        "connections are near 0 and in the CSV as kernel_tcp_bytes_per_conn). TCP segments are counted on "
        "the "
        "generator's own sockets (TCP_INFO), so other traffic on the host does not enter them; a run whose "
        "sockets closed inside the window falls back to the host-wide count and says so under Warnings. "
        "Server figures are '-' (not measured) when the suite ran against a server it did not start "
        "(--url).\n\n";
  }
  if (std::string b = bytes_table(cases); !b.empty()) out += "### Where the bytes go\n\n" + b + "\n";
  if (std::string q = request_table(cases); !q.empty()) {
    out += "### Cost per HTTP request (polling)\n\n" + q + "\n" + std::string(kNginxAnchor) +
           " Server CPU is sampled in 10 ms ticks: short or light runs read coarse.\n\n";
  }
  if (!idle.empty()) out += "## Idle cost (no events)\n\n" + idle + "\n";
  out += render_baseline_section(cases, x.suite);
  out += render_intermediary_section(cases, x.suite);
  out += render_failure_table(cases, x.suite);

  out += render_kaazing_section(cases);
  out += render_scale_section(cases);
  out += render_model_section(check_models(cases));

  if (std::string sus = suspects(records); !sus.empty()) {
    out +=
        "## Suspect\n\nThese figures contradict their own model or a second counter; they are left out of "
        "the tables above (or marked) and the run's exit status says so (`--strict` makes it a "
        "failure).\n\n" +
        sus + "\n";
  }
  std::string w = warnings(records);
  if (!x.failed_runs.empty() || !w.empty()) {
    out += "## Warnings\n\n";
    for (const auto& f : x.failed_runs) out += "- " + f + "\n";
    out += w + "\n";
  }

  out += "## Plots\n\n";
  if (x.plots.empty()) {
    out += (x.plots_note.empty() ? "None." : x.plots_note) + "\n\n";
  } else {
    for (const auto& p : x.plots) out += fmt::format("![{}]({})\n", p, p);
    out += "\nEach PNG (1920x1080) has an SVG twin beside it.\n\n";
  }

  out += "## How this was made\n\n";
  out += fmt::format("- Command: `{}`\n", x.command_line);
  out += fmt::format("- rtbench: {}\n", x.version);
  out += fmt::format("- Machine: {}\n", x.machine);
  out += fmt::format("- Pinning: {}\n", x.pinning);
  if (!x.load.empty()) out += fmt::format("- Host load: {}\n", x.load);
  out += fmt::format("- Started {}, ended {}; {} repetitions, each run against a fresh server process.\n",
                     x.start_time, x.end_time, x.repeat);
  out +=
      "- Files: results.csv (one row per run), metadata.json, points/*.json (full results with histograms), "
      "spectra/*.hgrm (percentile spectra, merged/ per point and transport), logs/.\n";
  return out;
}

}  // namespace rtb
