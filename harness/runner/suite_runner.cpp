#include "harness/runner/suite_runner.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <thread>

#include "harness/metrics/csv_writer.hpp"
#include "harness/metrics/hdr_log.hpp"
#include "harness/metrics/json.hpp"
#include "harness/metrics/machine_facts.hpp"
#include "harness/process/child_process.hpp"
#include "harness/process/file_tail.hpp"
#include "harness/process/redis_server_process.hpp"
#include "harness/process/temp_dir.hpp"
#include "harness/proxies/intermediary.hpp"
#include "harness/runner/aggregate.hpp"
#include "harness/runner/interrupt.hpp"
#include "harness/runner/output_dir.hpp"
#include "harness/runner/progress_display.hpp"
#include "harness/runner/proxy_report.hpp"
#include "harness/runner/report.hpp"
#include "harness/runner/result_figures.hpp"
#include "harness/runner/results_csv.hpp"
#include "harness/runner/run_plan.hpp"
#include "harness/runner/server_process.hpp"
#include "harness/runner/suite_catalog.hpp"
#include "harness/runner/suite_certificates.hpp"
#include "harness/runner/suite_file.hpp"
#include "harness/runner/suite_metadata.hpp"
#include "harness/scenario/client_factory.hpp"
#include "harness/scenario/load_report.hpp"
#include "harness/scenario/run_window.hpp"
#include "harness/scenario/server_url.hpp"
#include "transports/table/transport_table.hpp"

#ifndef RTB_RUNNER_SOURCE_DIR
#define RTB_RUNNER_SOURCE_DIR ""
#endif

namespace rtb {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string self_executable() {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : p.string();
}

// A file of the source tree this binary was built from (scripts/plot.py), else found upwards from the binary.
std::string find_source_file(const std::string& binary, const char* relative) {
  std::error_code ec;
  std::string source = RTB_RUNNER_SOURCE_DIR;
  if (!source.empty() && fs::exists(fs::path(source) / relative, ec)) {
    return (fs::path(source) / relative).string();
  }
  for (fs::path dir = fs::path(binary).parent_path(); !dir.empty() && dir != dir.root_path();
       dir = dir.parent_path()) {
    if (fs::exists(dir / relative, ec)) return (dir / relative).string();
  }
  return {};
}

std::string machine_line(const SuiteRunInfo& x) {
  const auto& h = x.meta.host;
  return fmt::format("{}, {} cores, {}, {:.1f} GiB RAM, ulimit -n {}, somaxconn {}, tcp_timestamps {}",
                     h.cpu_model, h.cores, h.kernel, static_cast<double>(h.mem_total_bytes) / (1u << 30),
                     x.facts.open_files_soft, x.facts.somaxconn, x.facts.tcp_timestamps);
}

std::string run_label(const Suite& suite, const PlannedRun& run, int repeat) {
  return fmt::format("{} {} rep {}/{}", suite.points[run.point].tag, transport_name(run.transport),
                     run.repetition, repeat);
}

std::string result_summary(const RunRecord& r) {
  if (run_skipped(r)) return "SKIPPED: " + r.error.substr(kSkippedPrefix.size());
  if (!r.result) return "FAILED: " + r.error;
  const LoadResult& x = *r.result;
  std::string s;
  if (x.rate > 0) {
    s = fmt::format("p50 {:.2f} ms, p99 {:.2f} ms, {:.0f} B/event, {:.2f} req/event, {} lost",
                    x.p50_us / 1000, x.p99_us / 1000, app_bytes_per_event(x), x.requests_per_event, x.lost);
  } else {
    s = fmt::format("idle: {:.2f} req/s and {:.1f} B/s per client, {:.0f} B/conn",
                    requests_per_s_per_client(x), app_bytes_per_s_per_client(x),
                    x.server_bytes_per_idle_conn);
  }
  if (x.errors_total > 0) s += fmt::format(", {} errors", x.errors_total);
  if (x.generator_bottleneck != 0) s += ", GENERATOR-BOUND";
  return s;
}

// The configuration a point's proxy ran with, beside the results (proxies/<point>.conf; its ports and paths
// are the last run's), so a reader sees exactly what sat in the path.
void keep_proxy_config(const std::string& out_dir, const std::string& point, const std::string& config) {
  std::error_code ec;
  fs::create_directories(fs::path(out_dir) / "proxies", ec);
  fs::copy_file(config, fs::path(out_dir) / "proxies" / (point + ".conf"),
                fs::copy_options::overwrite_existing, ec);
}

// Between the reason a proxy did not start and where its log is kept, in a skipped run's error: the summary
// counts the runs of one reason together.
constexpr std::string_view kProxyLogSeparator = "; its log, kept in ";

// The error of a run skipped because its proxy did not start, with the proxy's log kept as
// logs/<run>.<kind>.log (its own dir goes with the run) and quoted on one line, so the report's list stays a
// list.
std::string proxy_not_started(const std::string& out_dir, const PlannedRun& run, IntermediaryKind kind,
                              const std::string& work_dir, const std::string& error) {
  const std::string name(intermediary_name(kind));
  const std::string kept = fmt::format("logs/{}.{}.log", run.id, name);
  std::error_code ec;
  fs::copy_file(intermediary_log_path(work_dir, kind), fs::path(out_dir) / kept,
                fs::copy_options::overwrite_existing, ec);
  std::string tail = ec ? std::string() : file_tail((fs::path(out_dir) / kept).string(), 4);
  while (!tail.empty() && tail.back() == '\n') tail.pop_back();
  std::replace(tail.begin(), tail.end(), '\n', ' ');
  return fmt::format("{}{} did not start: {}{}{}: {}", kSkippedPrefix, name,
                     intermediary_failure_headline(error), kProxyLogSeparator,
                     ec ? "(not kept: " + ec.message() + ")" : kept, tail.empty() ? "(empty)" : tail);
}

struct RunEnvironment {
  std::string binary;
  std::string out_dir;
  PinPlan pinning;
  ProgressDisplay* progress;
  std::string url;                // --url: a server this runner did not start (no server figures)
  const TlsFiles* tls = nullptr;  // the certificate of the TLS points, when the suite has any
};

// One run: a fresh server, the generator against it, both stopped and reaped whatever happens.
RunRecord execute_run(const RunEnvironment& env, const Suite& suite, const PlannedRun& run) {
  const SuitePoint& point = suite.points[run.point];
  const RunFiles files = run_files(env.out_dir, run);
  RunRecord rec;
  rec.point = point.tag;
  rec.transport = std::string(transport_name(run.transport));
  rec.run_id = run.id;
  rec.repetition = run.repetition;
  rec.load_exit_status = -1;
  const auto start = Clock::now();

  std::string error;
  std::optional<ServerProcess> server;
  // Several backends behind a balancer: that many servers sharing a Redis broker of this run's own.
  const int backends = point.intermediary && env.url.empty() ? point.intermediary->backends : 1;
  std::optional<TempDir> redis_dir;
  std::optional<RedisServerProcess> redis;
  std::vector<ServerProcess> more_servers;
  if (env.url.empty()) {
    std::vector<std::string> serve_args = serve_arguments(point, env.tls);
    if ((backends > 1 && point.intermediary->shared_broker) || serve_needs_redis(point)) {
      if (!RedisServerProcess::installed()) {
        rec.error =
            std::string(kSkippedPrefix) + "redis-server is not installed (apt-get install redis-server)";
        rec.elapsed_s = seconds_since(start);
        return rec;
      }
      redis_dir = TempDir::make("rtb-redis", &error);
      if (redis_dir) redis = RedisServerProcess::start(redis_dir->path(), &error, env.pinning.server_cpu);
      if (!redis) {
        rec.error = "Redis did not start: " + error;
        rec.elapsed_s = seconds_since(start);
        return rec;
      }
      serve_args.insert(serve_args.end(), {"--broker", redis->url()});
    }
    server = ServerProcess::start(env.binary, serve_args, files.server_log, env.pinning.server_cpu, &error);
    for (int i = 1; server && i < backends; ++i) {
      auto more = ServerProcess::start(env.binary, serve_args, fmt::format("{}.{}", files.server_log, i + 1),
                                       env.pinning.server_cpu, &error);
      if (!more) {
        server->stop();
        server.reset();
        break;
      }
      more_servers.push_back(std::move(*more));
    }
    if (!server) {
      rec.error = "the server did not start: " + error;
      rec.elapsed_s = seconds_since(start);
      return rec;
    }
  }
  const auto stop_servers = [&] {
    for (auto& s : more_servers) s.stop();
    if (server) server->stop();
  };
  RunTarget target{server ? server->url() : env.url,          {}, server ? server->pid() : 0, {}, 0,
                   redis ? static_cast<int>(redis->pid()) : 0};
  std::optional<TempDir> proxy_dir;
  std::optional<IntermediaryProcess> proxy;
  if (point.intermediary) {
    if (std::string missing = intermediary_missing(point.intermediary->kind); !missing.empty()) {
      rec.error = std::string(kSkippedPrefix) + missing;
      stop_servers();
      rec.elapsed_s = seconds_since(start);
      return rec;
    }
    std::string why;
    const auto upstream = parse_server_url(target.url, &why);
    proxy_dir = TempDir::make("rtb-proxy", &error);
    if (proxy_dir && upstream) {
      std::vector<int> more_ports;
      for (const auto& s : more_servers) more_ports.push_back(s.port());
      proxy =
          IntermediaryProcess::start(*point.intermediary, upstream->host, upstream->port, proxy_dir->path(),
                                     env.pinning.server_cpu, &error, std::chrono::seconds(10), more_ports);
    }
    if (!proxy) {
      // A proxy that does not start here (a broken install, a stand-in binary, a policy that forbids it) is
      // a fact of this host, like one that is not installed: its runs are skipped with the reason, and the
      // runs that need no proxy, or another one, still count.
      if (!upstream) {
        rec.error = fmt::format("{} did not start: the server's URL: {}",
                                intermediary_name(point.intermediary->kind), why);
      } else if (!proxy_dir) {
        rec.error = fmt::format("{} did not start: {}", intermediary_name(point.intermediary->kind), error);
      } else {
        rec.error = proxy_not_started(env.out_dir, run, point.intermediary->kind, proxy_dir->path(), error);
      }
      stop_servers();
      rec.elapsed_s = seconds_since(start);
      return rec;
    }
    keep_proxy_config(env.out_dir, point.tag, proxy->config_path());
    target.proxy_pid = proxy->pid();
    const std::string proxy_url = fmt::format("http://127.0.0.1:{}", proxy->port());
    if (is_forward_proxy(point.intermediary->kind)) {
      target.forward_proxy = proxy_url;
    } else {
      target.publish_url = std::exchange(target.url, proxy_url);
    }
  }
  SpawnOptions g;
  g.binary = env.binary;
  g.args =
      load_arguments(point, run.transport, target, files, env.out_dir + "/points/load_rows.csv", env.tls);
  g.output_path = files.load_log;
  g.cpu = env.pinning.generator_cpu;
  auto generator = ChildProcess::spawn(g, &error);
  if (!generator) {
    rec.error = "the load generator did not start: " + error;
    stop_servers();
    rec.elapsed_s = seconds_since(start);
    return rec;
  }
  bool proxy_killed = false, proxy_restarted = false;
  // Generous: the generator has its own phase limits; this only catches a hang.
  const double limit_s = run.estimated_s * 2 + 30;
  while (generator->running()) {
    if (interrupt_signal() != 0) {
      generator->stop(std::chrono::milliseconds(2000));
      rec.error = "interrupted";
      break;
    }
    if (seconds_since(start) > limit_s) {
      generator->stop(std::chrono::milliseconds(2000));
      rec.error =
          fmt::format("the load generator was still running after {:.0f} s (estimate {:.0f} s): stopped",
                      limit_s, run.estimated_s);
      break;
    }
    bool backend_ended = false;
    for (auto& s : more_servers) backend_ended = backend_ended || !s.running();
    if (backend_ended) {
      generator->stop(std::chrono::milliseconds(2000));
      rec.error = "a second server behind the balancer ended during the run";
      break;
    }
    if (server && !server->running()) {
      generator->stop(std::chrono::milliseconds(2000));
      rec.error = fmt::format("the server ended during the run ({}); its log: {}", server->describe_exit(),
                              file_tail(files.server_log, 4));
      break;
    }
    if (proxy) {
      const double t = seconds_since(start);
      if (point.intermediary_kill_at_s > 0 && !proxy_killed && t >= point.intermediary_kill_at_s) {
        proxy->kill_now();
        proxy_killed = true;
      } else if (proxy_killed && !proxy_restarted &&
                 t >= point.intermediary_kill_at_s + point.intermediary_down_s) {
        if (!proxy->restart(&error)) {
          generator->stop(std::chrono::milliseconds(2000));
          rec.error = fmt::format("the killed proxy did not start again: {}", error);
          break;
        }
        proxy_restarted = true;
      } else if ((!proxy_killed || proxy_restarted) && !proxy->running()) {
        generator->stop(std::chrono::milliseconds(2000));
        rec.error = fmt::format("the proxy ended during the run ({}); its log: {}", proxy->describe_exit(),
                                file_tail(proxy->log_path(), 4));
        break;
      }
    }
    env.progress->tick(seconds_since(start));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  rec.load_exit_status = generator->exit_code().value_or(-1);
  if (proxy) proxy->stop();
  // A server closes every connection it holds before it exits: 5 s, and 1 s more per 100,000 clients.
  const auto server_grace = std::chrono::milliseconds(5000 + point.load.clients / 100);
  for (auto& s : more_servers) s.stop(server_grace);
  const bool server_alive = server && server->running();
  const int server_status = server ? server->stop(server_grace) : 0;
  if (rec.error.empty() && (rec.load_exit_status == 0 || rec.load_exit_status == 1)) {
    std::string text = read_file(files.json);
    auto result = load_result_from_json(text, &error);
    if (result) {
      rec.result = std::move(*result);
      if (rec.load_exit_status == 1) rec.error = "a threshold was missed: " + file_tail(files.load_log, 3);
    } else {
      rec.error = fmt::format("cannot read {}: {}", files.json, error);
    }
  } else if (rec.error.empty()) {
    rec.error = fmt::format("rtbench load: {}; its log: {}", generator->describe_exit(),
                            file_tail(files.load_log, 4));
  }
  if (server_alive && server_status != 0) {
    rec.error +=
        (rec.error.empty() ? "" : "; ") + fmt::format("the server's shutdown: {}", server->describe_exit());
  }
  rec.elapsed_s = seconds_since(start);
  return rec;
}

// Beside each run's .hgrm (written by the generator), its histogram as an HdrHistogram interval log; then
// per point and transport every repetition's histogram merged (exact: same layout) into one spectrum, and
// the repetitions as the intervals of one log (HdrHistogram's tools add intervals up: the merged spectrum).
void write_spectra(const std::string& out_dir, const std::vector<RunRecord>& records, const Suite* suite) {
  std::string error;
  for (const auto& r : records) {
    if (!r.result) continue;
    write_text_file(fmt::format("{}/spectra/{}.hlog", out_dir, r.run_id), load_result_hdr_log(*r.result),
                    &error);
  }
  for (const auto& c : group_cases(records, suite)) {
    if (c.results.empty()) continue;
    LatencyHistogram merged;
    std::vector<HdrLogInterval> intervals;
    for (const LoadResult* r : c.results) {
      merged.merge(r->latency);
      intervals.push_back(load_result_hdr_interval(*r));
    }
    if (merged.count() == 0) continue;
    const std::string stem = fmt::format("{}/spectra/merged/{}-{}", out_dir, c.point, c.transport);
    write_text_file(stem + ".hgrm", merged.spectrum_text(1000), &error);
    write_text_file(
        stem + ".hlog",
        hdr_interval_log(std::move(intervals),
                         fmt::format("rtbench run: {} {}, latency in ns, one interval per repetition "
                                     "(its measure window)",
                                     c.point, c.transport)),
        &error);
  }
}

// Runs the plot script; returns the images it made (relative paths) and a note.
std::vector<std::string> make_plots(const RunOptions& o, const std::string& out_dir, const SystemFacts& facts,
                                    std::string* note) {
  if (o.no_plots) {
    *note = "Plots skipped (--no-plots).";
    return {};
  }
  const std::string script =
      o.plot_script.empty() ? find_source_file(o.binary, "scripts/plot.py") : o.plot_script;
  if (script.empty() || !fs::exists(script)) {
    *note = "Plots skipped: scripts/plot.py not found (pass --plot-script).";
    return {};
  }
  if (facts.matplotlib.empty()) {
    *note =
        fmt::format("Plots skipped: {} has no matplotlib (apt-get install python3-matplotlib).", o.python);
    return {};
  }
  SpawnOptions s;
  s.binary = o.python;
  s.args = {script, out_dir};
  s.output_path = out_dir + "/logs/plot.log";
  std::string error;
  auto child = ChildProcess::spawn(s, &error);
  if (!child) {
    *note = "Plots failed: " + error;
    return {};
  }
  const auto start = Clock::now();
  while (child->running()) {
    if (interrupt_signal() != 0 || seconds_since(start) > 600) {
      child->stop();
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::vector<std::string> plots;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(fs::path(out_dir) / "plots", ec)) {
    if (e.path().extension() == ".png") plots.push_back("plots/" + e.path().filename().string());
  }
  std::sort(plots.begin(), plots.end());
  if (child->exit_code() != 0) {
    *note = fmt::format("The plot script failed ({}); see logs/plot.log: {}", child->describe_exit(),
                        file_tail(s.output_path, 3));
  } else {
    *note = fmt::format("Made by {} with {} (matplotlib {}).", script, o.python, facts.matplotlib);
  }
  return plots;
}

ReportContext report_context(const SuiteRunInfo& info, const std::vector<RunRecord>& records) {
  ReportContext c;
  c.suite_name = info.suite != nullptr ? info.suite->name : "";
  c.suite = info.suite;
  c.command_line = info.meta.command_line;
  c.cores = info.meta.host.cores;
  c.machine = machine_line(info);
  c.pinning = info.pinning.note;
  if (!info.facts.load_average.empty()) {
    c.load =
        fmt::format("load average (1, 5, 15 min) {} at the start, {} at the end", info.facts.load_average,
                    info.load_average_end.empty() ? "unknown" : info.load_average_end);
    // More runnable work than the two processes we pinned means someone else shared the cores.
    const double start = one_minute_load(info.facts.load_average);
    const double end = one_minute_load(info.load_average_end);
    const double busy = std::max(1.0, info.meta.host.cores - 0.5);
    c.busy_host = (std::isfinite(start) && start > busy) || (std::isfinite(end) && end > busy + 1);
  }
  // What the runs measured themselves: other processes' CPU (/proc/stat) and other TCP traffic.
  for (const auto& r : records) {
    if (!r.result) continue;
    const LoadResult& x = *r.result;
    if (std::isfinite(x.other_cpu_pct) && x.other_cpu_pct > kOtherWorkPct) c.busy_host = true;
    // Only where the own count is whole: sockets that closed inside the window left with their segments.
    if (x.tcp_sockets_gone == 0 && x.tcp_segments_host > 0 && x.tcp_segments_own > 0 &&
        static_cast<double>(x.tcp_segments_host) > static_cast<double>(x.tcp_segments_own) * 1.10 + 200) {
      c.busy_host = true;
    }
  }
  c.version = fmt::format("{} (git {}), {}, libuv {}{}{}", info.meta.version,
                          info.meta.git_commit.empty() ? "unknown" : info.meta.git_commit.substr(0, 12),
                          info.facts.compiler, info.facts.libuv, info.facts.openssl.empty() ? "" : ", ",
                          info.facts.openssl);
  c.start_time = info.start_time;
  c.end_time = info.end_time;
  c.repeat = info.repeat;
  c.interrupted = info.interrupted;
  for (const auto& r : records) {
    if (!r.result) c.failed_runs.push_back(fmt::format("`{}` produced no result: {}", r.run_id, r.error));
  }
  c.plots = info.plots;
  c.plots_note = info.plots_note;
  return c;
}

void print_suites() {
  fmt::print("{:<14} {:>5} {:>10}  {}\n", "suite", "runs", "estimate", "purpose");
  for (const auto& s : suite_catalog()) {
    fmt::print("{:<14} {:>5} {:>10}  {}\n", s.name, suite_run_count(s, 3),
               format_duration(estimate_suite_seconds(s, 3)), s.purpose);
  }
  fmt::print("(runs and estimates at the default 3 repetitions, process start-up included)\n");
}

std::string suite_names() {
  std::string names;
  for (const auto& s : suite_catalog()) names += (names.empty() ? "" : ", ") + s.name;
  return names;
}

// The suite as the run recorded it in metadata.json: purpose, notes and each point's note and server
// arguments, since the suite in this binary may have changed since (a report describes the run it shows).
Suite suite_as_recorded(const Suite& current, const Json& meta) {
  Suite s = current;
  s.purpose = json_string(meta, "purpose", s.purpose);
  if (meta.contains("notes") && meta["notes"].is_array()) {
    s.notes.clear();
    for (const auto& n : meta["notes"]) {
      if (n.is_string()) s.notes.push_back(n.get<std::string>());
    }
  }
  if (!meta.contains("points") || !meta["points"].is_array()) return s;
  const std::vector<std::string> base = serve_arguments(SuitePoint{}, nullptr);
  for (auto& p : s.points) {
    for (const auto& m : meta["points"]) {
      if (!m.is_object() || json_string(m, "tag") != p.tag) continue;
      p.note = json_string(m, "note", p.note);
      if (!m.contains("serve_args") || !m["serve_args"].is_array()) break;
      std::vector<std::string> args;
      for (const auto& a : m["serve_args"]) {
        if (a.is_string()) args.push_back(a.get<std::string>());
      }
      if (args.size() >= base.size() && std::equal(base.begin(), base.end(), args.begin())) {
        auto end = args.end();
        // The run's own certificate files follow the point's arguments (serve_arguments).
        if (p.tls && args.size() >= base.size() + 4 && *(end - 4) == "--tls-cert") end -= 4;
        p.server_args.assign(args.begin() + static_cast<std::ptrdiff_t>(base.size()), end);
      }
      break;
    }
  }
  return s;
}

// --report-only: plots and report.md again from a results folder, without running anything.
int remake_report(RunOptions& o) {
  std::string error, suite_name;
  auto records = read_results_csv(o.out_dir + "/results.csv", &suite_name, &error);
  if (!records) {
    fmt::print(stderr, "rtbench run: {}\n", error);
    return 2;
  }
  // The CSV holds the columns; a run's points/<run>.json (when kept) also holds its histogram, warnings and
  // suspects, which the report lists.
  for (auto& r : *records) {
    if (!r.result) continue;
    const std::string json_path = fmt::format("{}/points/{}.json", o.out_dir, r.run_id);
    std::string ignored;
    if (auto full = load_result_from_json(read_file(json_path), &ignored)) r.result = std::move(*full);
  }
  SuiteRunInfo info;
  info.suite = find_suite(o.suite.empty() ? suite_name : o.suite);
  info.out_dir = o.out_dir;
  info.facts = read_system_facts(o.python);
  info.facts.load_average.clear();  // now's load says nothing about the run; metadata.json has the run's
  info.facts.openssl.clear();       // nor does today's OpenSSL: only what metadata.json recorded
  int repeat = 0;
  for (const auto& r : *records) repeat = std::max(repeat, r.repetition);
  info.repeat = repeat;
  // What the original run recorded about itself.
  std::string text = read_file(o.out_dir + "/metadata.json");
  Suite recorded;
  if (auto meta = parse_json(text, &error); meta && meta->is_object()) {
    if (info.suite != nullptr) {
      recorded = suite_as_recorded(*info.suite, *meta);
      info.suite = &recorded;
    }
    info.meta.command_line = json_string(*meta, "command_line");
    info.meta.version = json_string(*meta, "version");
    info.meta.git_commit = json_string(*meta, "git_commit");
    info.start_time = json_string(*meta, "start_time");
    info.load_average_end = json_string(*meta, "load_average_at_end");
    info.end_time = json_string(*meta, "end_time");
    const Json none = Json::object();
    const Json& host = meta->contains("host") ? (*meta)["host"] : none;
    info.meta.host.cpu_model = json_string(host, "cpu_model");
    info.meta.host.kernel = json_string(host, "kernel");
    info.meta.host.cores = static_cast<int>(json_unsigned(host, "cores"));
    info.meta.host.mem_total_bytes = json_unsigned(host, "mem_total_bytes");
    if (meta->contains("pinning")) info.pinning.note = json_string((*meta)["pinning"], "note");
    if (meta->contains("system")) {
      const Json& sys = (*meta)["system"];
      for (auto [key, field] :
           {std::pair{"somaxconn", &info.facts.somaxconn},
            std::pair{"tcp_timestamps", &info.facts.tcp_timestamps},
            std::pair{"compiler", &info.facts.compiler}, std::pair{"libuv", &info.facts.libuv},
            std::pair{"openssl", &info.facts.openssl},
            std::pair{"load_average_at_start", &info.facts.load_average}}) {
        *field = json_string(sys, key, *field);
      }
      info.facts.open_files_soft = json_unsigned(sys, "open_files_soft");
    }
  }
  std::error_code ec;
  fs::remove_all(fs::path(o.out_dir) / "plots", ec);
  fs::create_directories(fs::path(o.out_dir) / "plots", ec);
  fs::create_directories(fs::path(o.out_dir) / "logs", ec);
  info.plots = make_plots(o, o.out_dir, info.facts, &info.plots_note);
  if (!write_text_file(o.out_dir + "/report.md", render_report(report_context(info, *records), *records),
                       &error)) {
    fmt::print(stderr, "rtbench run: {}\n", error);
    return 2;
  }
  fmt::print("rtbench run: report {}/report.md, {} plots in {}/plots/\n", o.out_dir, info.plots.size(),
             o.out_dir);
  if (info.plots.empty()) fmt::print("  {}\n", info.plots_note);
  return 0;
}

}  // namespace

int run_suite(RunOptions o) {
  if (o.list) {
    print_suites();
    return 0;
  }
  if (o.binary.empty()) o.binary = self_executable();
  if (o.report_only) {
    if (o.out_dir.empty()) {
      fmt::print(stderr, "rtbench run: --report-only needs --out FOLDER, the results folder to re-make\n");
      return 2;
    }
    while (o.out_dir.size() > 1 && o.out_dir.back() == '/') o.out_dir.pop_back();
    return remake_report(o);
  }
  // Every run gets a fresh folder by default: results/latest/ is git-ignored, and a timestamp keeps an
  // earlier run's results (and the committed reference folders) out of harm's way.
  std::string error;
  Suite selected;
  if (!o.suite_file.empty()) {
    auto from_file = read_suite_file(o.suite_file, &error);
    if (!from_file) {
      fmt::print(stderr, "rtbench run: --suite-file {}\n", error);
      return 2;
    }
    selected = std::move(*from_file);
    if (selected.repeat > 0 && !o.repeat_given) o.repeat = selected.repeat;
  } else {
    const Suite* named = find_suite(o.suite);
    if (named == nullptr) {
      fmt::print(stderr, "rtbench run: no suite '{}'; the suites are {} (rtbench run --list)\n", o.suite,
                 suite_names());
      return 2;
    }
    selected = *named;
  }
  if (!o.points.empty() && !select_points(selected, o.points, &error)) {
    fmt::print(stderr, "rtbench run: {}\n", error);
    return 2;
  }
  if (!o.transports.empty() && !select_transports(selected, o.transports, &error)) {
    fmt::print(stderr, "rtbench run: {}\n", error);
    return 2;
  }
  const Suite* suite = &selected;
  if (o.out_dir.empty()) o.out_dir = default_output_dir(suite->name, std::chrono::system_clock::now());
  while (o.out_dir.size() > 1 && o.out_dir.back() == '/') o.out_dir.pop_back();
  if (auto problems = check_suite(*suite); !problems.empty()) {
    for (const auto& p : problems) fmt::print(stderr, "rtbench run: {}\n", p);
    return 2;
  }
  if (o.repeat < 1 || o.repeat > 100) {
    fmt::print(stderr, "rtbench run: --repeat must be 1-100\n");
    return 2;
  }
  if (o.binary.empty() || ::access(o.binary.c_str(), X_OK) != 0) {
    fmt::print(stderr, "rtbench run: cannot execute '{}' (--bin)\n", o.binary);
    return 2;
  }
  if (!prepare_output_dir(o.out_dir, o.force, &error)) {
    fmt::print(stderr, "rtbench run: {}\n", error);
    return 2;
  }
  install_interrupt_handlers();

  SuiteRunInfo info;
  info.suite = suite;
  info.out_dir = o.out_dir;
  info.binary = o.binary;
  info.repeat = o.repeat;
  info.meta = collect_run_metadata(o.argv);
  info.facts = read_system_facts(o.python);
  info.pinning = plan_pinning(allowed_cpus());
  info.start_time = iso8601_utc(std::chrono::system_clock::now());
  const auto suite_start = Clock::now();
  const std::vector<PlannedRun> plan = plan_runs(*suite, o.repeat);
  info.estimated_s = estimate_suite_seconds(*suite, o.repeat);
  const std::string metadata_path = o.out_dir + "/metadata.json";
  std::vector<RunRecord> records;
  records.reserve(plan.size());
  auto write_metadata = [&] {
    info.end_time = iso8601_utc(std::chrono::system_clock::now());
    info.elapsed_s = seconds_since(suite_start);
    std::string e;
    if (!write_text_file(metadata_path, suite_metadata_json(info, records), &e)) {
      fmt::print(stderr, "rtbench run: {}\n", e);
    }
  };

  fmt::print(stderr,
             "rtbench run: suite {}: {} runs ({} points x transports x {} repetitions), about {}; {}\n",
             suite->name, plan.size(), suite->points.size(), o.repeat, format_duration(info.estimated_s),
             info.pinning.note);

  // TLS points are served with a throwaway certificate made for this suite; the runner's own servers only,
  // since a --url server's certificate is not the runner's to know.
  const bool has_tls =
      std::any_of(suite->points.begin(), suite->points.end(), [](const SuitePoint& p) { return p.tls; });
  if (has_tls && !o.url.empty()) {
    fmt::print(stderr,
               "rtbench run: the suite has TLS points, which need a server the runner starts: drop "
               "--url, or pick the plain points with --points\n");
    return 2;
  }
  std::optional<SuiteCertificates> certificates =
      has_tls ? SuiteCertificates::make(find_source_file(o.binary, "scripts/make-test-certs.sh"),
                                        o.out_dir + "/logs/certs.log", &error)
              : std::nullopt;
  if (has_tls && !certificates) {
    fmt::print(stderr, "rtbench run: {}\n", error);
    return 2;
  }

  // The verify step, on a server started like the measured ones but over plain HTTP (or the --url server).
  if (!o.url.empty()) {
    std::string why;
    auto url = parse_server_url(o.url, &why);
    if (!url) {
      fmt::print(stderr, "rtbench run: --url {}: {}\n", o.url, why);
      return 2;
    }
    info.verify = verify_server(url->host, url->port);
    if (!info.verify.ok()) {
      fmt::print(stderr,
                 "{}rtbench run: the server at {} does not speak the wire contract; nothing was run\n",
                 info.verify.failures(), o.url);
      write_metadata();
      return 2;
    }
  } else {
    // The wire contract is each worker's: one process answers for all (several would need a broker).
    SuitePoint one_process = suite->points.front();
    auto& args = one_process.server_args;
    if (auto w = std::find(args.begin(), args.end(), "--workers"); w != args.end() && w + 1 != args.end()) {
      args.erase(w, w + 2);
    }
    auto server = ServerProcess::start(o.binary, serve_arguments(one_process),
                                       o.out_dir + "/logs/verify.serve.log", info.pinning.server_cpu, &error);
    if (!server) {
      fmt::print(stderr, "rtbench run: verify: {}\n", error);
      info.verify.checks.push_back({"the server starts and prints its address", false, error});
      write_metadata();
      return 2;
    }
    info.verify = verify_server("127.0.0.1", server->port());
    server->stop();
    if (!info.verify.ok()) {
      fmt::print(stderr,
                 "{}rtbench run: the server at {} does not speak the wire contract; nothing was run\n",
                 info.verify.failures(), server->url());
      write_metadata();
      return 2;
    }
    fmt::print(stderr, "rtbench run: verify: {} checks passed (/stats, /publish, {})\n",
               info.verify.checks.size(), transport_paths());
  }

  auto csv = CsvWriter::open(o.out_dir + "/results.csv", results_csv_header(), &error);
  if (!csv) {
    fmt::print(stderr, "rtbench run: {}\n", error);
    return 2;
  }
  ProgressDisplay progress(stderr, ::isatty(STDERR_FILENO) != 0, plan.size(), info.estimated_s);
  RunEnvironment env{o.binary,  o.out_dir, info.pinning,
                     &progress, o.url,     certificates ? &certificates->files() : nullptr};
  for (const auto& run : plan) {
    if (interrupt_signal() != 0) break;
    progress.start_run(run.index, run_label(*suite, run, o.repeat), run.estimated_s);
    RunRecord rec = execute_run(env, *suite, run);
    if (rec.result && !csv->write_row(results_csv_row(suite->name, rec))) {
      rec.error += (rec.error.empty() ? "" : "; ") + std::string("cannot append to results.csv");
    }
    progress.finish_run(rec.elapsed_s, result_summary(rec));
    records.push_back(std::move(rec));
  }
  info.interrupted = interrupt_signal() != 0;
  info.load_average_end = read_load_average();
  write_spectra(o.out_dir, records, suite);
  write_metadata();

  if (info.interrupted) {
    info.plots_note = "Plots skipped: the suite was interrupted.";
  } else {
    progress.message("rtbench run: plotting...");
    info.plots = make_plots(o, o.out_dir, info.facts, &info.plots_note);
  }
  if (!write_text_file(o.out_dir + "/report.md", render_report(report_context(info, records), records),
                       &error)) {
    fmt::print(stderr, "rtbench run: {}\n", error);
  }
  write_metadata();

  // A failure-table point breaks by design: its runs are judged by the table (was each fix verified?), the
  // others by passing.
  std::map<std::string, bool> breaks_by_design;
  for (const auto& p : suite->points) breaks_by_design[p.tag] = p.errors_expected;
  std::size_t with_result = 0, measured = 0, passed = 0;
  std::uint64_t lost = 0;
  std::map<std::string, std::size_t> skipped;  // reason: runs
  for (const auto& r : records) {
    if (r.result) {
      ++with_result;
      lost += r.result->lost;
    }
    if (run_skipped(r)) {
      const std::string why = r.error.substr(kSkippedPrefix.size());
      ++skipped[why.substr(0, why.find(kProxyLogSeparator))];
      continue;
    }
    if (breaks_by_design[r.point]) continue;
    ++measured;
    if (r.result && r.load_exit_status == 0) ++passed;
  }
  fmt::print(
      "rtbench run: suite {} {} in {}: {} of {} runs produced results ({} of {} measured runs passed), "
      "{} events lost\n",
      suite->name, info.interrupted ? "INTERRUPTED" : "done", format_duration(info.elapsed_s), with_result,
      plan.size(), passed, measured, lost);
  for (const auto& [why, runs] : skipped) fmt::print("  skipped:  {} runs: {}\n", runs, why);
  if (!skipped.empty()) fmt::print("            (each skipped run's reason: report.md, \"Warnings\")\n");
  const auto unverified = unverified_fixes(group_cases(records, suite), suite);
  if (!suite->failure_rows.empty()) {
    fmt::print("  failure table: {}\n", unverified.empty()
                                            ? std::string("every fix verified")
                                            : fmt::format("NOT verified: {}", fmt::join(unverified, "; ")));
  }
  fmt::print("  report:   {}/report.md\n", o.out_dir);
  if (info.plots.empty()) {
    fmt::print("  plots:    none. {}\n", info.plots_note);
  } else {
    fmt::print("  plots:    {}/plots/ ({} PNG 1920x1080, each with an SVG)\n", o.out_dir, info.plots.size());
  }
  fmt::print("  data:     {}/results.csv, {}/metadata.json\n", o.out_dir, o.out_dir);
  std::size_t suspect = 0;
  for (const auto& r : records) suspect += r.result ? r.result->suspects.size() : 0;
  if (suspect > 0) {
    fmt::print(
        "  SUSPECT:  {} figures contradict their model or a second counter (report.md, \"Suspect\"){}\n",
        suspect, o.strict ? "; --strict: exit 1" : "");
  }
  if (info.interrupted) return 128 + interrupt_signal();
  if (o.strict && suspect > 0) return 1;
  return passed == measured && unverified.empty() ? 0 : 1;
}

}  // namespace rtb
