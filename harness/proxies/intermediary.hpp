// An intermediary (nginx, HAProxy in TCP or HTTP mode, Squid) run as a real process on 127.0.0.1 in front of
// an rtbench server: which kinds there are, the options that pick a correct setup or a known
// misconfiguration, and IntermediaryProcess, which writes the config, starts the proxy in the foreground as
// one process and stops it by PID.
#pragma once

#include <sys/types.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "harness/process/child_process.hpp"
#include "harness/proxies/proxy_site.hpp"

namespace rtb {

enum class IntermediaryKind : std::uint8_t { kNginx, kHaproxyTcp, kHaproxyHttp, kSquid };

inline constexpr std::array<IntermediaryKind, 4> kIntermediaryKinds = {
    IntermediaryKind::kNginx, IntermediaryKind::kHaproxyTcp, IntermediaryKind::kHaproxyHttp,
    IntermediaryKind::kSquid};

// "nginx", "haproxy-tcp", "haproxy-http", "squid".
std::string_view intermediary_name(IntermediaryKind kind);
std::optional<IntermediaryKind> parse_intermediary_kind(std::string_view name);
// A forward proxy is addressed differently: absolute-form requests ("GET http://host:port/poll") and
// CONNECT for tunnels, instead of the server's own paths on the proxy's port.
bool is_forward_proxy(IntermediaryKind kind);
// The environment variable that overrides a kind's binary: "RTB_NGINX_BIN", "RTB_HAPROXY_BIN" (both HAProxy
// modes), "RTB_SQUID_BIN".
std::string_view intermediary_binary_variable(IntermediaryKind kind);
// The binary a kind runs: the Debian path ("/usr/sbin/nginx", ...), or its variable's value when set and not
// empty (a proxy built elsewhere, or a stand-in that exits at once for the tests of one that fails to start).
std::string intermediary_binary(IntermediaryKind kind);

// Every knob of every kind; each kind reads only its own (the rest is ignored).
struct IntermediaryOptions {
  IntermediaryKind kind = IntermediaryKind::kNginx;
  int max_connections = 1024;                                  // client connections, every kind
  std::uint64_t idle_timeout_ms = kProxyDefaultIdleTimeoutMs;  // nginx, haproxy-*
  bool forward_upgrade = true;                                 // nginx: NginxOptions
  bool buffering = false;                                      // nginx
  bool ignore_accel_buffering = false;                         // nginx
  // squid: CONNECT also to the upstream's port (the fix), not only to 443 as shipped; see SquidOptions.
  bool allow_connect_to_upstream = false;
  bool no_delay = true;  // haproxy-http: HaproxyOptions
  // haproxy-*: rtbench servers behind it, sharing a Redis broker the runner starts, balanced round robin.
  int backends = 1;
  // With backends > 1: they share a Redis broker (the working setup); false: each keeps its own ids and
  // history (the broken one).
  bool shared_broker = true;
};

// The config file's text for `options.kind` at `site`.
std::string intermediary_config(const IntermediaryOptions& options, const ProxySite& site);

class IntermediaryProcess {
 public:
  // Picks a free port on 127.0.0.1, writes the config into `work_dir`/<name>/ (with the pid file, temporary
  // files and the log, <name>.log), spawns the proxy in the foreground pinned to `cpu` (-1: not pinned) and
  // waits up to `timeout` until the port accepts a TCP connection. A port taken between the pick and the
  // proxy's bind is picked again (a few times). nullopt with the reason in one sentence and the log's tail in
  // *error otherwise (see intermediary_failure_headline); the process is stopped then. Squid started as root:
  // its dir and log are chowned to its user and `work_dir` gains search permission for others
  // (hand_over_to_squid_user in intermediary.cpp).
  static std::optional<IntermediaryProcess> start(
      const IntermediaryOptions& options, const std::string& upstream_host, int upstream_port,
      const std::string& work_dir, int cpu, std::string* error,
      std::chrono::milliseconds timeout = std::chrono::seconds(10),
      const std::vector<int>& more_upstream_ports = {});

  IntermediaryProcess(IntermediaryProcess&& other) noexcept = default;
  IntermediaryProcess& operator=(IntermediaryProcess&& other) noexcept;
  IntermediaryProcess(const IntermediaryProcess&) = delete;
  IntermediaryProcess& operator=(const IntermediaryProcess&) = delete;
  ~IntermediaryProcess();  // stop(): a graceful end, so Squid removes its shared memory itself

  IntermediaryKind kind() const { return options_.kind; }
  int port() const { return site_.listen_port; }
  // The one process that does the proxying (no master, workers or helpers), for /proc sampling.
  pid_t pid() const { return process_.pid(); }
  bool running() { return process_.running(); }
  const std::string& log_path() const { return site_.log_path; }
  const std::string& config_path() const { return config_path_; }
  std::string describe_exit() const { return process_.describe_exit(); }

  // SIGINT (a fast shutdown for all three), then SIGKILL after `grace`; reaped. Squid needs a second or two.
  int stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000));
  // SIGKILL at once, reaped: a proxy that dies under load, for the tests that want one.
  void kill_now();
  // Stops the proxy if it still runs, then starts it again with the same config on the same port. false with
  // the reason in *error (the port may have been taken meanwhile).
  bool restart(std::string* error, std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  IntermediaryProcess(IntermediaryOptions options, ProxySite site, std::string config_path,
                      SpawnOptions spawn, ChildProcess process)
      : options_(options),
        site_(std::move(site)),
        config_path_(std::move(config_path)),
        spawn_(std::move(spawn)),
        process_(std::move(process)) {}

  // What a proxy leaves behind only when it did not end cleanly (Squid's shared memory segments).
  void remove_leftovers();

  IntermediaryOptions options_;
  ProxySite site_;
  std::string config_path_;
  SpawnOptions spawn_;
  ChildProcess process_;
};

// "nginx/1.22.1", "HAProxy 2.6.12-1+deb12u4", "Squid 5.7" (what the binary says of itself); empty when the
// binary is not installed or says nothing recognisable.
std::string intermediary_version(IntermediaryKind kind);
// Empty when the binary is installed; else one sentence naming the missing binary (and the variable, when it
// came from one) and the Debian package that provides it.
std::string intermediary_missing(IntermediaryKind kind);
// Where start() has the proxy write its log (stdout, stderr and its own error log) under `work_dir`, so a
// caller can keep it when the proxy did not start.
std::string intermediary_log_path(const std::string& work_dir, IntermediaryKind kind);
// The first sentence of start()'s error, without the log's tail that follows it: what went wrong, worded the
// same for every run of a proxy that cannot start (no port, no path), so a summary can count them as one.
std::string intermediary_failure_headline(const std::string& error);

}  // namespace rtb
