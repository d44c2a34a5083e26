#include "harness/scenario/procs_load_run.hpp"

#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>
#include <uv.h>

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <vector>

#include "harness/metrics/proc_sampler.hpp"
#include "harness/process/temp_dir.hpp"
#include "harness/scenario/line_pipe.hpp"
#include "harness/scenario/load_merge.hpp"
#include "harness/scenario/load_options.hpp"
#include "harness/scenario/payload_stamp.hpp"
#include "harness/scenario/run_window.hpp"
#include "harness/scenario/server_url.hpp"
#include "transports/net/loop.hpp"
#include "transports/net/uv_handle.hpp"

namespace rtb {

namespace {

constexpr std::uint64_t kTickMs = 100;
// Every stage has a deadline: a process that stops talking must not hang the run.
constexpr double kArmingLimitS = 30;  // start, publish the marker, read the "before" figures
constexpr double kStageMarginS = 30;  // beyond the configured phases

std::uint64_t seconds_ns(double s) {
  return static_cast<std::uint64_t>(s * 1e9);
}

std::string self_executable() {
  std::string path(4096, '\0');
  const ssize_t n = ::readlink("/proc/self/exe", path.data(), path.size() - 1);
  if (n <= 0) return {};
  path.resize(static_cast<std::size_t>(n));
  return path;
}

std::vector<std::string> exec_words(std::string_view text, std::uint32_t index) {
  std::vector<std::string> words;
  std::istringstream in{std::string(text)};
  for (std::string w; in >> w;) {
    for (std::size_t at = w.find("{i}"); at != std::string::npos; at = w.find("{i}")) {
      w.replace(at, 3, std::to_string(index));
    }
    words.push_back(std::move(w));
  }
  return words;
}

// One generator process, seen from its parent.
struct GroupChild {
  GroupChild(uv_loop_t* loop, std::uint32_t i, LinePipeReader::OnLine on_line, LinePipeReader::OnEnd on_end)
      : index(i), out(loop, std::move(on_line), std::move(on_end)), in(loop) {}

  std::uint32_t index;
  void* group = nullptr;  // the ProcsGroup, for the exit callback
  UvHandle<uv_process_t> process;
  LinePipeReader out;  // its stdout: its messages
  LinePipeWriter in;   // its stdin: ours
  std::string json_path;
  bool spawned = false;
  bool armed = false;
  std::optional<std::uint64_t> ready;
  bool exited = false;
  std::int64_t exit_status = 0;
  int term_signal = 0;
  std::optional<LoadProgress> progress;
};

enum class Stage { kArming, kConnecting, kRunning, kEnded };

class ProcsGroup {
 public:
  ProcsGroup(const LoadConfig& config, LoadObserver* observer, double progress_interval_s,
             std::string executable)
      : config_(config),
        observer_(observer),
        progress_interval_s_(progress_interval_s),
        executable_(std::move(executable)) {}

  LoadOutcome run();

 private:
  std::string spawn(GroupChild& child, const std::string& exe, const std::string& dir);
  void on_line(GroupChild& child, std::string_view line);
  void on_exit(GroupChild& child, std::int64_t status, int signal);
  void tick();
  void fail(std::string why);
  void enter(Stage stage, double limit_s);
  void report_progress();
  template <typename Test>
  std::string missing(Test test) const {
    std::string list;
    for (const auto& c : children_) {
      if (!test(*c)) list += fmt::format("{}{}", list.empty() ? "" : ", ", c->index);
    }
    return list;
  }
  template <typename Test>
  bool all(Test test) const {
    return std::all_of(children_.begin(), children_.end(), [&](const auto& c) { return test(*c); });
  }

  const LoadConfig& config_;
  LoadObserver* observer_;
  double progress_interval_s_;
  std::string executable_;
  Loop loop_{100};
  UvHandle<uv_timer_t> timer_;
  std::vector<std::unique_ptr<GroupChild>> children_;
  Stage stage_ = Stage::kArming;
  double stage_limit_s_ = 0;
  std::uint64_t stage_deadline_ns_ = 0;
  std::uint64_t next_progress_ns_ = 0;
  std::string error_;
};

std::string ProcsGroup::spawn(GroupChild& child, const std::string& exe, const std::string& dir) {
  LoadConfig c = config_;
  c.clients = procs_share(config_, child.index);
  c.procs = 1;
  c.procs_exec.clear();
  // The group, not each process, connects at --connect-rate with --connect-batch outstanding: the server's
  // accept queue is one.
  c.connect_rate = std::max(1.0, config_.connect_rate / config_.procs);
  c.connect_batch = std::max<std::uint32_t>(1, config_.connect_batch / config_.procs);
  c.max_p99_us.reset();
  c.max_lost.reset();
  if (config_.sources.size() >= config_.procs) {
    // Each process its own addresses, so that their ports never compete.
    c.sources.clear();
    for (std::size_t i = child.index; i < config_.sources.size(); i += config_.procs) {
      c.sources.push_back(config_.sources[i]);
    }
  }
  child.json_path = fmt::format("{}/generator-{}.json", dir, child.index);
  std::vector<std::string> words = exec_words(config_.procs_exec, child.index);
  words.push_back(exe);
  words.emplace_back("load");
  for (auto scope : {LoadOptionScope::kLoad, LoadOptionScope::kRun}) {
    for (auto& a : load_option_argv(c, scope)) words.push_back(std::move(a));
  }
  words.insert(words.end(),
               {"--proc-index", std::to_string(child.index), "--json", child.json_path, "--quiet"});
  if (!config_.sources.empty() && config_.sources.size() < config_.procs) {
    words.insert(words.end(), {"--procs-sharing-sources", std::to_string(config_.procs)});
  }

  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  uv_stdio_container_t stdio[3];
  stdio[0].flags = static_cast<uv_stdio_flags>(UV_CREATE_PIPE | UV_READABLE_PIPE);
  stdio[0].data.stream = child.in.stream();
  stdio[1].flags = static_cast<uv_stdio_flags>(UV_CREATE_PIPE | UV_WRITABLE_PIPE);
  stdio[1].data.stream = child.out.stream();
  stdio[2].flags = UV_INHERIT_FD;
  stdio[2].data.fd = STDERR_FILENO;
  uv_process_options_t options{};
  options.file = argv[0];
  options.args = argv.data();
  options.stdio = stdio;
  options.stdio_count = 3;
  options.exit_cb = [](uv_process_t* p, std::int64_t status, int signal) {
    auto* c = static_cast<GroupChild*>(p->data);
    if (c != nullptr) static_cast<ProcsGroup*>(c->group)->on_exit(*c, status, signal);
  };
  child.group = this;
  child.process->data = &child;
  const int rc = uv_spawn(loop_.get(), child.process.get(), &options);
  // libuv initialises the handle even when the spawn fails; it is closed either way.
  child.process.set_initialised();
  if (rc != 0) {
    return fmt::format("cannot start generator process {} ({}: {}){}", child.index, argv[0], uv_strerror(rc),
                       config_.procs_exec.empty() ? "" : "; check --procs-exec");
  }
  child.spawned = true;
  child.out.start();
  return {};
}

void ProcsGroup::enter(Stage stage, double limit_s) {
  stage_ = stage;
  stage_limit_s_ = limit_s;
  stage_deadline_ns_ = monotonic_now_ns() + seconds_ns(limit_s);
}

void ProcsGroup::fail(std::string why) {
  if (error_.empty()) error_ = std::move(why);
  stage_ = Stage::kEnded;
  for (auto& c : children_) {
    if (c->spawned && !c->exited) uv_process_kill(c->process.get(), SIGKILL);
  }
}

void ProcsGroup::on_line(GroupChild& child, std::string_view line) {
  if (stage_ == Stage::kEnded) return;
  const std::size_t space = line.find(' ');
  const std::string_view word = line.substr(0, space);
  const std::string rest(space == std::string_view::npos ? std::string_view() : line.substr(space + 1));
  // Process 0 publishes: its marker and its measured ids go to every other process.
  if ((word == "since" || word == "published") && child.index == 0) {
    for (std::size_t i = 1; i < children_.size(); ++i) children_[i]->in.send(line);
  } else if (word == "armed") {
    child.armed = true;
    if (stage_ == Stage::kArming && all([](const GroupChild& c) { return c.armed; })) {
      for (auto& c : children_) c->in.send("connect");
      enter(Stage::kConnecting, config_.connect_timeout_s + kStageMarginS);
    }
  } else if (word == "ready") {
    std::uint64_t n = 0;
    if (std::sscanf(rest.c_str(), "%" SCNu64, &n) != 1)
      return fail(fmt::format("generator process {} sent '{}'", child.index, line));
    child.ready = n;
    if (stage_ == Stage::kConnecting && all([](const GroupChild& c) { return c.ready.has_value(); })) {
      std::uint64_t total = 0;
      for (auto& c : children_) total += *c->ready;
      // One instant for every process: their windows, and so the events they count, are the same.
      const std::string go = fmt::format("go {} {}", monotonic_now_ns(), total);
      for (auto& c : children_) c->in.send(go);
      // Each process closes its connections before it writes its result: 1 s per 10,000 of the group's.
      enter(Stage::kRunning, config_.warmup_s + config_.duration_s + config_.drain_s + kStageMarginS +
                                 static_cast<double>(config_.clients) / 10'000);
    }
  } else if (word == "progress") {
    LoadProgress p;
    int phase = 0;
    unsigned long long clients = 0, connected = 0, connecting = 0, errors = 0, late = 0, dropped = 0;
    if (std::sscanf(rest.c_str(), "%d %lf %lf %llu %llu %llu %lf %lf %llu %llu %llu", &phase,
                    &p.phase_elapsed_s, &p.phase_length_s, &clients, &connected, &connecting, &p.events_per_s,
                    &p.p99_us, &errors, &late, &dropped) == 11) {
      p.phase = static_cast<LoadPhase>(std::clamp(phase, 0, static_cast<int>(LoadPhase::kDone)));
      p.clients = clients;
      p.connected = connected;
      p.connecting = connecting;
      p.errors = errors;
      p.publish_late = late;
      p.publish_dropped = dropped;
      child.progress = p;
    }
  } else {
    fail(fmt::format("generator process {} sent a line the parent does not know: '{}'", child.index, line));
  }
}

void ProcsGroup::on_exit(GroupChild& child, std::int64_t status, int signal) {
  child.exited = true;
  child.exit_status = status;
  child.term_signal = signal;
  child.process.close();
  if (stage_ != Stage::kEnded && (status != 0 || signal != 0)) {
    fail(signal != 0 ? fmt::format("generator process {} was killed by signal {}", child.index, signal)
                     : fmt::format("generator process {} ended with exit {} before the run was over (its "
                                   "message is above)",
                                   child.index, status));
  }
  if (all([](const GroupChild& c) { return c.exited || !c.spawned; })) {
    if (stage_ == Stage::kRunning) stage_ = Stage::kEnded;
    uv_timer_stop(timer_.get());
    loop_.stop();
  }
}

void ProcsGroup::tick() {
  const std::uint64_t now = monotonic_now_ns();
  if (stage_ != Stage::kEnded && now > stage_deadline_ns_) {
    const char* what = stage_ == Stage::kArming       ? "start (armed)"
                       : stage_ == Stage::kConnecting ? "connect its clients (ready)"
                                                      : "finish";
    std::string late = stage_ == Stage::kArming ? missing([](const GroupChild& c) { return c.armed; })
                       : stage_ == Stage::kConnecting
                           ? missing([](const GroupChild& c) { return c.ready.has_value(); })
                           : missing([](const GroupChild& c) { return c.exited; });
    fail(fmt::format("generator process(es) {} did not {} within {:.0f} s", late, what, stage_limit_s_));
  }
  if (observer_ != nullptr && now >= next_progress_ns_) {
    next_progress_ns_ = now + seconds_ns(progress_interval_s_);
    report_progress();
  }
}

void ProcsGroup::report_progress() {
  LoadProgress sum;
  bool any = false;
  sum.phase = LoadPhase::kDone;
  sum.p99_us = std::nan("");
  for (const auto& c : children_) {
    if (!c->progress) continue;
    const LoadProgress& p = *c->progress;
    // The group is as far as its slowest process.
    if (!any || static_cast<int>(p.phase) < static_cast<int>(sum.phase)) {
      sum.phase = p.phase;
      sum.phase_elapsed_s = p.phase_elapsed_s;
      sum.phase_length_s = p.phase_length_s;
    }
    any = true;
    sum.connected += p.connected;
    sum.connecting += p.connecting;
    sum.events_per_s += p.events_per_s;
    if (!std::isnan(p.p99_us))
      sum.p99_us = std::isnan(sum.p99_us) ? p.p99_us : std::max(sum.p99_us, p.p99_us);
    sum.errors += p.errors;
    sum.publish_late += p.publish_late;
    sum.publish_dropped += p.publish_dropped;
  }
  if (!any) return;
  sum.clients = config_.clients;
  observer_->on_progress(sum);
}

LoadOutcome ProcsGroup::run() {
  LoadOutcome outcome;
  const std::string exe = executable_.empty() ? self_executable() : executable_;
  if (exe.empty()) {
    outcome.error = "--procs: cannot find this program's own path (/proc/self/exe) to start its processes";
    return outcome;
  }
  std::string error;
  auto dir = TempDir::make("rtb-procs", &error);
  if (!dir) {
    outcome.error = "--procs: " + error;
    return outcome;
  }
  loop_.get()->data = &loop_;
  uv_timer_init(loop_.get(), timer_.get());
  timer_.set_initialised();
  timer_->data = this;
  for (std::uint32_t i = 0; i < config_.procs; ++i) {
    auto child = std::make_unique<GroupChild>(
        loop_.get(), i, [this, i](std::string_view line) { on_line(*children_[i], line); },
        [](std::string_view) {});
    children_.push_back(std::move(child));
  }
  enter(Stage::kArming, kArmingLimitS);
  for (auto& child : children_) {
    if (std::string e = spawn(*child, exe, dir->path()); !e.empty()) {
      fail(std::move(e));
      break;
    }
  }
  uv_timer_start(
      timer_.get(),
      [](uv_timer_t* t) {
        if (t->data != nullptr) static_cast<ProcsGroup*>(t->data)->tick();
      },
      kTickMs, kTickMs);
  if (all([](const GroupChild& c) { return c.exited || !c.spawned; })) {
    uv_timer_stop(timer_.get());
  } else {
    loop_.run();
  }
  if (!error_.empty()) {
    outcome.error = error_;
    return outcome;
  }
  std::vector<LoadResult> parts;
  for (const auto& c : children_) {
    auto text = read_proc_file(c->json_path);  // reads any file to its end
    if (!text) {
      outcome.error = fmt::format("generator process {} wrote no result ({})", c->index, c->json_path);
      return outcome;
    }
    auto part = load_result_from_json(*text, &error);
    if (!part) {
      outcome.error = fmt::format("generator process {}'s result does not read: {}", c->index, error);
      return outcome;
    }
    parts.push_back(std::move(*part));
  }
  auto merged = merge_load_results(parts, MergeKind::kProcessesOfOneRun, &error);
  if (!merged) {
    outcome.error = "--procs: merging the processes' results: " + error;
    return outcome;
  }
  merged->clients = config_.clients;
  outcome.ok = true;
  outcome.result = std::move(*merged);
  return outcome;
}

}  // namespace

ProcsLimits read_procs_limits() {
  ProcsLimits limits;
  rlimit nofile{};
  if (getrlimit(RLIMIT_NOFILE, &nofile) == 0) {
    limits.descriptors = nofile.rlim_max == RLIM_INFINITY ? UINT64_MAX : nofile.rlim_max;
  }
  if (std::ifstream range("/proc/sys/net/ipv4/ip_local_port_range"); range) {
    std::uint64_t lo = 0, hi = 0;
    if (range >> lo >> hi && hi >= lo) limits.ephemeral_ports = hi - lo + 1;
  }
  if (std::ifstream meminfo("/proc/meminfo"); meminfo) {
    for (std::string key; meminfo >> key;) {
      std::uint64_t kib = 0;
      meminfo >> kib;
      if (key == "MemAvailable:") limits.memory_bytes = kib * 1024;
      meminfo.ignore(256, '\n');
    }
  }
  return limits;
}

std::uint64_t estimated_bytes_per_connection(bool server_on_this_host) {
  // Kernel: ~3.7 KiB of structures per idle socket plus a little buffer; user: a client session here and a
  // server session there, each well under 2 KiB. Rounded up.
  return server_on_this_host ? 12 * 1024 : 6 * 1024;
}

std::uint32_t procs_share(const LoadConfig& config, std::uint32_t index) {
  const std::uint32_t k = std::max<std::uint32_t>(config.procs, 1);
  return config.clients / k + (index < config.clients % k ? 1 : 0);
}

std::string procs_capacity_error(const LoadConfig& c, bool server_on_this_host, const ProcsLimits& limits) {
  const std::uint64_t k = std::max<std::uint32_t>(c.procs, 1);
  const std::uint64_t per_process = procs_share(c, 0);
  if (limits.descriptors > 0 && per_process + kSpareDescriptors > limits.descriptors) {
    const std::uint64_t room =
        limits.descriptors > kSpareDescriptors ? limits.descriptors - kSpareDescriptors : 1;
    return fmt::format(
        "--clients {} over --procs {} puts {} connections in one process, but a process may open at most {} "
        "descriptors (hard limit; {} stay for the publisher, stdio and files): use --procs {} or more",
        c.clients, k, per_process, limits.descriptors, kSpareDescriptors, (c.clients + room - 1) / room);
  }
  // Ports: each connection to one server port takes a port of its source address (in another network
  // namespace, --procs-exec, each process has its own).
  if (c.procs_exec.empty() && limits.ephemeral_ports > 0) {
    const std::uint64_t addresses = std::max<std::size_t>(c.sources.size(), 1);
    const std::uint64_t ports = addresses * limits.ephemeral_ports;
    if (c.clients + 1 > ports) {
      return fmt::format(
          "--clients {} need {} source ports towards one server port (the publisher's included), but {} "
          "source address(es) x {} ephemeral ports (net.ipv4.ip_local_port_range) give {}: add --sources {} "
          "(extra loopback addresses) or use fewer clients",
          c.clients, c.clients + 1, addresses, limits.ephemeral_ports, ports,
          (c.clients + 1 + limits.ephemeral_ports - 1) / limits.ephemeral_ports);
    }
  }
  const std::uint64_t each = estimated_bytes_per_connection(server_on_this_host);
  if (limits.memory_bytes > 0 && c.clients * each > limits.memory_bytes) {
    return fmt::format(
        "--clients {} need about {:.1f} GiB ({} KiB per connection{}), but this host has {:.1f} GiB "
        "available "
        "(MemAvailable): use at most {} clients",
        c.clients, static_cast<double>(c.clients * each) / (1 << 30), each / 1024,
        server_on_this_host ? ", both ends on this host" : "",
        static_cast<double>(limits.memory_bytes) / (1 << 30), limits.memory_bytes / each);
  }
  return {};
}

LoadOutcome run_procs_load(const LoadConfig& config, LoadObserver* observer, double progress_interval_s,
                           const std::string& executable) {
  LoadOutcome outcome;
  if (std::string e = validate_load_config(config); !e.empty()) {
    outcome.error = std::move(e);
    return outcome;
  }
  std::string error;
  auto url = parse_server_url(config.url, &error, is_round_trip(config.transport));
  if (!url) {
    outcome.error = std::move(error);
    return outcome;
  }
  if (std::string e =
          procs_capacity_error(config, url->loopback || !config.procs_exec.empty(), read_procs_limits());
      !e.empty()) {
    outcome.error = std::move(e);
    return outcome;
  }
  ProcsGroup group(config, observer, progress_interval_s, executable);
  return group.run();
}

}  // namespace rtb
