#include "harness/proxies/intermediary.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

#include "harness/process/file_tail.hpp"
#include "harness/process/loopback_port.hpp"
#include "harness/proxies/haproxy_config.hpp"
#include "harness/proxies/nginx_config.hpp"
#include "harness/proxies/squid_config.hpp"

namespace rtb {

namespace {

// How often start() picks a new port when the proxy finds the one it was given taken.
constexpr int kPortAttempts = 4;
constexpr std::string_view kAddressInUse = "Address already in use";
// Between the sentence of a proxy that did not start and its log's tail (intermediary_failure_headline).
constexpr std::string_view kLogTailSeparator = "; the end of its log ";

std::string read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool write_whole_file(const std::string& path, const std::string& text, std::string* why) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) {
    *why = fmt::format("cannot write {}: {}", path, std::strerror(errno));
    return false;
  }
  return true;
}

// Squid started as root serves as its effective user, which must be able to write its log and pid file and
// chdir to coredump_dir: the proxy's own dir and log file are handed to that user, and the work dir (often
// mkdtemp's 0700) gets search permission for others, so the user can pass through it to reach its dir
// without being able to list it. The ancestors of the work dir must be searchable already (/tmp is).
bool hand_over_to_squid_user(const std::string& user, const std::string& work_dir, const ProxySite& site,
                             std::string* why) {
  if (::geteuid() != 0) return true;  // not root: Squid keeps the invoking user, who owns the files
  passwd entry{};
  passwd* found = nullptr;
  std::vector<char> buffer(16384);
  if (::getpwnam_r(user.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 || found == nullptr) {
    *why = fmt::format("squid runs as root here and would switch to user {}, which does not exist", user);
    return false;
  }
  for (const std::string& path : {site.dir, site.log_path}) {
    if (::chown(path.c_str(), entry.pw_uid, entry.pw_gid) != 0) {
      *why = fmt::format("cannot give {} to squid's user {}: {}", path, user, std::strerror(errno));
      return false;
    }
  }
  struct stat st {};
  if (::stat(work_dir.c_str(), &st) != 0 ||
      ((st.st_mode & S_IXOTH) == 0 && ::chmod(work_dir.c_str(), (st.st_mode & 07777) | S_IXOTH) != 0)) {
    *why = fmt::format("cannot let squid's user {} into {}: {}", user, work_dir, std::strerror(errno));
    return false;
  }
  return true;
}

// Squid names its shared memory segments (/dev/shm/<service>-cf__*.shm, made even by one process) after the
// service name, "squid" by default: two instances would collide, and the segments of one that was killed
// stop the next from starting ("File exists"). The port makes it unique among running instances.
std::string squid_service_name(int port) {
  return fmt::format("rtbsquid{}", port);
}

void remove_squid_segments(int port) {
  const std::string prefix = squid_service_name(port) + "-";
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/dev/shm", ec)) {
    if (entry.path().filename().string().rfind(prefix, 0) == 0) std::filesystem::remove(entry.path(), ec);
  }
}

std::vector<std::string> proxy_arguments(IntermediaryKind kind, const ProxySite& site,
                                         const std::string& config_path) {
  switch (kind) {
    case IntermediaryKind::kNginx:
      // -p: relative paths resolve in the dir; -e: the error log before the config's error_log is read.
      return {"-p", site.dir + "/", "-e", site.log_path, "-c", config_path};
    case IntermediaryKind::kHaproxyTcp:
    case IntermediaryKind::kHaproxyHttp:
      return {"-db", "-f", config_path};  // -db: foreground, no master-worker, no daemon
    case IntermediaryKind::kSquid:
      // -N: foreground, the master is the worker, no kids; -n: see squid_service_name.
      return {"-N", "-n", squid_service_name(site.listen_port), "-f", config_path};
  }
  return {};
}

enum class ProxyWait : std::uint8_t { kAccepting, kExited, kPortTaken, kTimedOut };

// Polls until the proxy accepts on `port`, exits, reports its port taken (in the log after byte `log_from`:
// earlier lines are an earlier run's), or the deadline passes. A proxy that logs the port taken but keeps
// trying is stopped here.
ProxyWait wait_until_accepting(ChildProcess& child, int port, const std::string& log_path,
                               std::size_t log_from, std::chrono::steady_clock::time_point deadline) {
  while (true) {
    const bool alive = child.running();
    const std::string log = read_whole_file(log_path);
    const bool taken = log.size() > log_from && log.find(kAddressInUse, log_from) != std::string::npos;
    if (taken) {
      child.stop(std::chrono::milliseconds(2000));
      return ProxyWait::kPortTaken;
    }
    if (!alive) return ProxyWait::kExited;
    if (port_accepts(port, std::chrono::milliseconds(200))) return ProxyWait::kAccepting;
    if (std::chrono::steady_clock::now() >= deadline) return ProxyWait::kTimedOut;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// " (/bin/false, from RTB_NGINX_BIN)" when the binary came from its variable, else empty: a reader of "nginx
// exited" should know it was not the packaged nginx.
std::string binary_note(IntermediaryKind kind) {
  const std::string_view variable = intermediary_binary_variable(kind);
  const char* value = std::getenv(std::string(variable).c_str());
  if (value == nullptr || *value == '\0') return {};
  return fmt::format(" ({}, from {})", value, variable);
}

// The sentence for a proxy that did not come up, with the end of its log. The sentence names no port when the
// port is not the cause, so that every run of a proxy that cannot start says the same.
std::string not_started(IntermediaryKind kind, ProxyWait how, ChildProcess& child, int port,
                        const std::string& log_path, std::chrono::milliseconds timeout) {
  const std::string_view name = intermediary_name(kind);
  std::string what;
  switch (how) {
    case ProxyWait::kExited:
      what = fmt::format("{}{} exited ({}) before accepting connections", name, binary_note(kind),
                         child.describe_exit());
      break;
    case ProxyWait::kPortTaken:
      what = fmt::format("{}{} found 127.0.0.1:{} taken", name, binary_note(kind), port);
      break;
    case ProxyWait::kTimedOut:
    case ProxyWait::kAccepting:
      what = fmt::format("{}{} did not accept connections on its port within {} ms", name, binary_note(kind),
                         timeout.count());
      break;
  }
  return fmt::format("{}{}{}:\n{}", what, kLogTailSeparator, log_path, file_tail(log_path));
}

// The first line `command` writes (stdout and stderr), or empty when it cannot run.
std::string first_output_line(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
  if (!pipe) return {};
  std::string out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, pipe.get()) != nullptr) out += buf;
  return out.substr(0, out.find('\n'));
}

// The word after `marker` in `line`, or empty.
std::string word_after(const std::string& line, std::string_view marker) {
  const std::size_t at = line.find(marker);
  if (at == std::string::npos) return {};
  const std::size_t from = at + marker.size();
  return line.substr(from, line.find(' ', from) - from);
}

}  // namespace

std::string_view intermediary_name(IntermediaryKind kind) {
  switch (kind) {
    case IntermediaryKind::kNginx:
      return "nginx";
    case IntermediaryKind::kHaproxyTcp:
      return "haproxy-tcp";
    case IntermediaryKind::kHaproxyHttp:
      return "haproxy-http";
    case IntermediaryKind::kSquid:
      return "squid";
  }
  return "?";
}

std::optional<IntermediaryKind> parse_intermediary_kind(std::string_view name) {
  for (IntermediaryKind kind : kIntermediaryKinds) {
    if (intermediary_name(kind) == name) return kind;
  }
  return std::nullopt;
}

bool is_forward_proxy(IntermediaryKind kind) {
  return kind == IntermediaryKind::kSquid;
}

std::string_view intermediary_binary_variable(IntermediaryKind kind) {
  switch (kind) {
    case IntermediaryKind::kNginx:
      return "RTB_NGINX_BIN";
    case IntermediaryKind::kHaproxyTcp:
    case IntermediaryKind::kHaproxyHttp:
      return "RTB_HAPROXY_BIN";
    case IntermediaryKind::kSquid:
      return "RTB_SQUID_BIN";
  }
  return {};
}

std::string intermediary_binary(IntermediaryKind kind) {
  const char* chosen = std::getenv(std::string(intermediary_binary_variable(kind)).c_str());
  if (chosen != nullptr && *chosen != '\0') return chosen;
  switch (kind) {
    case IntermediaryKind::kNginx:
      return "/usr/sbin/nginx";
    case IntermediaryKind::kHaproxyTcp:
    case IntermediaryKind::kHaproxyHttp:
      return "/usr/sbin/haproxy";
    case IntermediaryKind::kSquid:
      return "/usr/sbin/squid";
  }
  return {};
}

std::string intermediary_config(const IntermediaryOptions& o, const ProxySite& site) {
  switch (o.kind) {
    case IntermediaryKind::kNginx: {
      NginxOptions n;
      n.forward_upgrade = o.forward_upgrade;
      n.buffering = o.buffering;
      n.ignore_accel_buffering = o.ignore_accel_buffering;
      n.idle_timeout_ms = o.idle_timeout_ms;
      n.max_connections = o.max_connections;
      return nginx_config(n, site);
    }
    case IntermediaryKind::kHaproxyTcp:
    case IntermediaryKind::kHaproxyHttp: {
      HaproxyOptions h;
      h.mode = o.kind == IntermediaryKind::kHaproxyTcp ? HaproxyMode::kTcp : HaproxyMode::kHttp;
      h.idle_timeout_ms = o.idle_timeout_ms;
      h.max_connections = o.max_connections;
      h.no_delay = o.no_delay;
      return haproxy_config(h, site);
    }
    case IntermediaryKind::kSquid: {
      SquidOptions s;
      s.allow_connect_to_port = o.allow_connect_to_upstream ? site.upstream_port : 0;
      s.max_connections = o.max_connections;
      return squid_config(s, site);
    }
  }
  return {};
}

std::optional<IntermediaryProcess> IntermediaryProcess::start(const IntermediaryOptions& options,
                                                              const std::string& upstream_host,
                                                              int upstream_port, const std::string& work_dir,
                                                              int cpu, std::string* error,
                                                              std::chrono::milliseconds timeout,
                                                              const std::vector<int>& more_upstream_ports) {
  std::string why;
  auto fail = [&](std::string reason) {
    if (error != nullptr) *error = std::move(reason);
    return std::nullopt;
  };
  if (std::string missing = intermediary_missing(options.kind); !missing.empty()) return fail(missing);
  if (options.max_connections <= 0 || options.idle_timeout_ms == 0) {
    return fail(fmt::format("invalid {} options: max_connections and idle_timeout_ms must be positive",
                            intermediary_name(options.kind)));
  }
  std::error_code ec;
  if (!std::filesystem::is_directory(work_dir, ec)) {
    return fail(
        fmt::format("the work dir {} for {} does not exist", work_dir, intermediary_name(options.kind)));
  }
  const std::string name(intermediary_name(options.kind));
  ProxySite site;
  site.upstream_host = upstream_host;
  site.upstream_port = upstream_port;
  site.more_upstream_ports = more_upstream_ports;
  site.dir = std::filesystem::absolute(std::filesystem::path(work_dir) / name, ec).string();
  site.log_path = intermediary_log_path(work_dir, options.kind);
  site.pid_path = site.dir + "/" + name + ".pid";
  const std::string config_path = site.dir + "/" + name + ".conf";
  std::filesystem::create_directories(site.dir, ec);
  if (ec) return fail(fmt::format("cannot create {}: {}", site.dir, ec.message()));

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (int attempt = 1;; ++attempt) {
    site.listen_port = pick_free_port(&why);
    if (site.listen_port < 0) return fail(why);
    if (!write_whole_file(config_path, intermediary_config(options, site), &why)) return fail(why);
    // A fresh log, so that a line of an earlier attempt is not read as this one's; no stale pid file, which
    // Squid would take for a running instance if its PID were reused.
    if (!write_whole_file(site.log_path, "", &why)) return fail(why);
    std::filesystem::remove(site.pid_path, ec);
    if (options.kind == IntermediaryKind::kSquid) {
      remove_squid_segments(site.listen_port);
      if (!hand_over_to_squid_user(SquidOptions().effective_user, work_dir, site, &why)) return fail(why);
    }
    SpawnOptions spawn;
    spawn.binary = intermediary_binary(options.kind);
    spawn.args = proxy_arguments(options.kind, site, config_path);
    spawn.output_path = site.log_path;
    spawn.cpu = cpu;
    auto child = ChildProcess::spawn(spawn, &why);
    if (!child) return fail(why);
    const ProxyWait how = wait_until_accepting(*child, site.listen_port, site.log_path, 0, deadline);
    if (how == ProxyWait::kAccepting) {
      return IntermediaryProcess(options, std::move(site), config_path, std::move(spawn), std::move(*child));
    }
    std::string reason = not_started(options.kind, how, *child, site.listen_port, site.log_path, timeout);
    child->stop(std::chrono::milliseconds(2000));
    if (options.kind == IntermediaryKind::kSquid) remove_squid_segments(site.listen_port);
    if (how == ProxyWait::kPortTaken && attempt < kPortAttempts &&
        std::chrono::steady_clock::now() < deadline) {
      continue;
    }
    return fail(std::move(reason));
  }
}

IntermediaryProcess& IntermediaryProcess::operator=(IntermediaryProcess&& other) noexcept {
  if (this != &other) {
    stop();
    options_ = other.options_;
    site_ = std::move(other.site_);
    config_path_ = std::move(other.config_path_);
    spawn_ = std::move(other.spawn_);
    process_ = std::move(other.process_);
  }
  return *this;
}

IntermediaryProcess::~IntermediaryProcess() {
  stop();
}

void IntermediaryProcess::remove_leftovers() {
  if (options_.kind == IntermediaryKind::kSquid) remove_squid_segments(site_.listen_port);
}

int IntermediaryProcess::stop(std::chrono::milliseconds grace) {
  if (process_.pid() <= 0) return -1;  // moved from: the process belongs to another object now
  const int status = process_.stop(grace);
  if (status != 0) remove_leftovers();
  return status;
}

void IntermediaryProcess::kill_now() {
  if (process_.pid() <= 0) return;
  if (process_.running()) ::kill(process_.pid(), SIGKILL);
  process_.stop(std::chrono::milliseconds(5000));  // reaps; SIGKILLs again only if it were somehow alive
  remove_leftovers();
}

bool IntermediaryProcess::restart(std::string* error, std::chrono::milliseconds timeout) {
  stop();
  std::string why;
  std::error_code ec;
  std::filesystem::remove(site_.pid_path, ec);
  remove_leftovers();
  const std::size_t log_from = read_whole_file(site_.log_path).size();  // restart appends to the log
  auto child = ChildProcess::spawn(spawn_, &why);
  if (!child) {
    if (error != nullptr) *error = why;
    return false;
  }
  const ProxyWait how = wait_until_accepting(*child, site_.listen_port, site_.log_path, log_from,
                                             std::chrono::steady_clock::now() + timeout);
  if (how != ProxyWait::kAccepting) {
    if (error != nullptr)
      *error = not_started(options_.kind, how, *child, site_.listen_port, site_.log_path, timeout);
    child->stop(std::chrono::milliseconds(2000));
    remove_leftovers();
    return false;
  }
  process_ = std::move(*child);
  return true;
}

std::string intermediary_version(IntermediaryKind kind) {
  if (!intermediary_missing(kind).empty()) return {};
  const std::string binary = intermediary_binary(kind);
  switch (kind) {
    case IntermediaryKind::kNginx:  // "nginx version: nginx/1.22.1" (on stderr)
      return word_after(first_output_line(binary + " -v 2>&1"), "nginx version: ");
    case IntermediaryKind::kHaproxyTcp:
    case IntermediaryKind::kHaproxyHttp: {  // "HAProxy version 2.6.12-1+deb12u4 2026/10/17 - https://..."
      std::string v = word_after(first_output_line(binary + " -v 2>&1"), "HAProxy version ");
      return v.empty() ? v : "HAProxy " + v;
    }
    case IntermediaryKind::kSquid: {  // "Squid Cache: Version 5.7"
      std::string v = word_after(first_output_line(binary + " -v 2>&1"), "Squid Cache: Version ");
      return v.empty() ? v : "Squid " + v;
    }
  }
  return {};
}

std::string intermediary_missing(IntermediaryKind kind) {
  const std::string binary = intermediary_binary(kind);
  if (::access(binary.c_str(), X_OK) == 0) return {};
  std::string_view package = kind == IntermediaryKind::kNginx   ? "nginx-light (or nginx)"
                             : kind == IntermediaryKind::kSquid ? "squid"
                                                                : "haproxy";
  const std::string note = binary_note(kind);
  return fmt::format(
      "{} is not installed: {} is missing{} (Debian package {})", intermediary_name(kind), binary,
      note.empty() ? "" : fmt::format(" or not executable (from {})", intermediary_binary_variable(kind)),
      package);
}

std::string intermediary_log_path(const std::string& work_dir, IntermediaryKind kind) {
  const std::string name(intermediary_name(kind));
  std::error_code ec;
  return (std::filesystem::absolute(std::filesystem::path(work_dir) / name, ec) / (name + ".log")).string();
}

std::string intermediary_failure_headline(const std::string& error) {
  return error.substr(0, error.find(kLogTailSeparator));
}

}  // namespace rtb
