#!/usr/bin/env bash
# Several "hosts" on one machine: the rtbench server in one network namespace and K load generators in K
# others, joined by veth pairs to a bridge in the server's namespace. Each generator namespace has its own
# address and its own ephemeral port range (1024-65535: ~64k connections to the one server port), and each
# generator is its own process with its own open-file limit: the closest thing to several machines one box has.
#
#   scripts/netns-hosts.sh run [OPTIONS] -- [SERVE_ARGS...] -- [LOAD_ARGS...]
#   scripts/netns-hosts.sh cleanup
#
# run: creates the namespaces rtb<PID>s (the server: 10.213.0.1/16 on a bridge) and rtb<PID>g0 .. g<K-1>
# (generator i: 10.213.1.<i+1>/16), starts `rtbench serve --host 0.0.0.0 --port P SERVE_ARGS` in the server
# namespace, waits (10 s at most) for its "listening" line, then runs in every generator namespace at once
# `rtbench load --url http://10.213.0.1:P LOAD_ARGS --json RUN/gen<i>.json` and waits for all of them. They
# share the server and, as given, the channel: then every generator publishes its own events and its
# subscribers receive (and count as delivered) those of all K publishers. `{i}` in LOAD_ARGS becomes the
# generator's index (`--channel c{i}`: a channel per generator). Both `--` are required; either list may
# be empty. On every exit (also an error or Ctrl-C) the script stops what it started, deletes the namespaces
# (their veth pairs and the bridge go with them) and prints a summary: namespaces, addresses, exit statuses,
# where the logs and JSON are.
# SERVE_ARGS with --workers N (N > 1) and no --broker: the script starts a redis-server of its own on the
# server namespace's loopback (port 6379, 6380 when P is 6379) and adds --broker redis://127.0.0.1:<that port>.
#
# Options of run:
#   --generators K     generator namespaces, 1-254 (default 2)
#   --procs            instead of K rtbench load, one `rtbench load --procs K --procs-exec
#                      'ip netns exec rtb<PID>g{i}'` started in generator namespace 0 (the root namespace has
#                      no route to the server; `{i}` in LOAD_ARGS is left as is); needs an rtbench whose
#                      load has --procs
#   --server-cpu LIST  pin the server and its redis-server (taskset -c LIST, e.g. 0 or 0,1)
#   --gen-cpu LIST     pin every generator (taskset -c LIST)
#   --port P           the server's port in its namespace (default 8080; the namespace is new, so it is free)
#   --timeout S        stop a generator still running after S seconds (default 900)
#   --out DIR          the run directory for logs and JSON (default: a new one under ${TMPDIR:-/tmp})
#   --rtbench PATH     the binary (default: $RTBENCH, else build/harness/rtbench)
# The script sets serve's --host and --port and load's --url and --json; it refuses them in the arguments.
#
# cleanup: stops the processes in, and deletes, every namespace a run killed with SIGKILL left behind
# (names rtb<PID>s, rtb<PID>g<i>); those of a run still going are left alone.
#
# Needs root and iproute2 (`ip`); redis-server and redis-cli for a --workers server. Exit status: 0 every
# generator passed; 1 a generator or the server failed (the summary gives each exit status), or the run was
# interrupted; 2 a usage or setup error (the message says what to fix), also when every generator refused
# its arguments (rtbench load's exit status 2). Details and the same setup on real machines: docs/netns-hosts.md.
source "$(dirname "$0")/lib/script-help.sh"
set -euo pipefail

readonly self=netns-hosts
# A private /16 used only inside the namespaces this script creates: the host's own routes never see it.
readonly server_ip=10.213.0.1
readonly prefix_len=16
gen_ip() { echo "10.213.1.$(($1 + 1))"; }
# Every namespace name this script creates: rtb<PID of the run>s and rtb<PID of the run>g<i>.
readonly ns_pattern='^rtb[0-9]+(s|g[0-9]+)$'
# How long a stopped process gets between SIGTERM and SIGKILL: more than serve's default --shutdown-grace-ms
# (5 s), so a server that still holds streams closes them itself.
readonly grace_s=10

die() {  # usage and setup errors: exit status 2
  echo "$self: $*" >&2
  exit 2
}

usage_hint="usage: scripts/netns-hosts.sh run [OPTIONS] -- [SERVE_ARGS...] -- [LOAD_ARGS...] | cleanup (--help)"

require_root_and_ip() {
  [ "$(id -u)" -eq 0 ] || die "network namespaces need root: run it as root (sudo $0 ...)"
  command -v ip >/dev/null || die "'ip' is missing: install iproute2 (scripts/install-deps.sh does)"
}

# True while child PID has not ended. A zombie (ended, not reaped yet) counts as ended; kill -0 would not.
running() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

# Waits up to $2 tenths of a second for PID $1 to end; true if it did.
# shellcheck disable=SC2317  # only the EXIT trap's code calls it, which shellcheck 0.9 cannot see
ended_within() {
  local i=0
  while running "$1"; do
    [ "$i" -ge "$2" ] && return 1
    sleep 0.1
    i=$((i + 1))
  done
}

# Stops child PID $1 (named $2 in messages) and reaps it; sets reaped_status to its exit status. SIGTERM first:
# rtbench serve, redis-server and timeout (which passes it on to rtbench load) all shut down cleanly on it,
# whereas SIGINT is ignored by a background job of a non-interactive shell until the program installs a
# handler. SIGKILL after $grace_s s.
# shellcheck disable=SC2317  # called by the EXIT trap
stop_child() {
  local pid=$1 name=$2
  if running "$pid"; then
    kill -TERM "$pid" 2>/dev/null
    if ! ended_within "$pid" $((grace_s * 10)); then
      echo "$self: $name (pid $pid) still running $grace_s s after SIGTERM: SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null
      if ! ended_within "$pid" 50; then
        # Not reaped: `wait` could block for ever. The namespace sweep below reports it.
        reaped_status="not ended after SIGKILL"
        return
      fi
    fi
  fi
  reaped_status=0
  wait "$pid" 2>/dev/null || reaped_status=$?
}

# Deletes namespace $1 after killing whatever still runs in it (orphans of a parent that got SIGKILL, workers
# of a killed supervisor). Deleting a namespace removes its interfaces: the veth pairs and the bridge.
remove_ns() {
  local ns=$1 pids i=0
  while pids=$(ip netns pids "$ns" 2>/dev/null) && [ -n "$pids" ]; do
    if [ "$i" -ge 50 ]; then
      echo "$self: processes $(echo "$pids" | tr '\n' ' ')in $ns did not end after SIGKILL" >&2
      return 1
    fi
    # shellcheck disable=SC2086  # one PID a line, each its own argument
    kill -KILL $pids 2>/dev/null
    sleep 0.1
    i=$((i + 1))
  done
  ip netns del "$ns"
}

# The namespaces whose names match the extended regular expression $1 (`ip netns list` prints "NAME (id: N)").
namespaces_matching() { ip netns list | awk -v p="$1" '$1 ~ p { print $1 }'; }

cleanup_command() {
  require_root_and_ip
  local ns pid failed=0 removed=0
  for ns in $(namespaces_matching "$ns_pattern"); do
    pid=${ns#rtb}
    pid=${pid%%[sg]*}
    # A run still going owns its namespaces: its own exit deletes them.
    if [ "$pid" != "$$" ] && grep -qa 'netns-hosts' "/proc/$pid/cmdline" 2>/dev/null; then
      echo "$self: $ns belongs to a run still going (pid $pid): left alone"
      continue
    fi
    if remove_ns "$ns"; then
      echo "$self: deleted $ns"
      removed=$((removed + 1))
    else
      failed=1
    fi
  done
  echo "$self: $removed namespace(s) deleted"
  [ "$failed" -eq 0 ] || die "some namespaces could not be deleted (see above)"
}

case "${1:-}" in
  run) shift ;;
  cleanup)
    shift
    [ $# -eq 0 ] || die "cleanup takes no arguments"
    cleanup_command
    exit 0
    ;;
  "") die "no command. $usage_hint" ;;
  *) die "unknown command '$1'. $usage_hint" ;;
esac

# ---- run: options, then SERVE_ARGS and LOAD_ARGS between the two `--`.
gens=2
procs=0
server_cpu=
gen_cpu=
port=8080
timeout_s=900
out_option=
rtbench=${RTBENCH:-$(dirname "$0")/../build/harness/rtbench}
seen_separator=0
while [ $# -gt 0 ]; do
  case $1 in
    --) shift; seen_separator=1; break ;;
    --procs) procs=1; shift; continue ;;
    --generators | --server-cpu | --gen-cpu | --port | --timeout | --out | --rtbench)
      [ $# -ge 2 ] || die "$1 needs a value"
      ;;
    *) die "unknown option '$1' (run's options come before the first --). $usage_hint" ;;
  esac
  case $1 in
    --generators) gens=$2 ;;
    --server-cpu) server_cpu=$2 ;;
    --gen-cpu) gen_cpu=$2 ;;
    --port) port=$2 ;;
    --timeout) timeout_s=$2 ;;
    --out) out_option=$2 ;;
    --rtbench) rtbench=$2 ;;
  esac
  shift 2
done
[ "$seen_separator" -eq 1 ] || die "no -- before SERVE_ARGS. $usage_hint"
serve_args=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
  serve_args+=("$1")
  shift
done
[ $# -gt 0 ] || die "no second -- between SERVE_ARGS and LOAD_ARGS (write '-- --' for no SERVE_ARGS). $usage_hint"
shift
load_args=("$@")

# True when $1 is a whole number in [$2, $3].
in_range() { [[ $1 =~ ^[0-9]{1,9}$ ]] && [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }
in_range "$gens" 1 254 || die "--generators $gens: a whole number 1-254 (generator i gets 10.213.1.<i+1>)"
in_range "$port" 1 65535 || die "--port $port: a port 1-65535"
in_range "$timeout_s" 1 999999999 || die "--timeout $timeout_s: whole seconds >= 1"

for a in "${serve_args[@]}"; do
  case $a in
    --host | --host=* | --port | --port=*)
      die "SERVE_ARGS: $a is set by the script (--host 0.0.0.0, --port P: use run's --port)" ;;
  esac
done
for a in "${load_args[@]}"; do
  case $a in
    --url | --url=* | --json | --json=*)
      die "LOAD_ARGS: $a is set by the script (--url http://$server_ip:P, --json in the run directory)" ;;
    --csv | --csv=* | --spectrum | --spectrum=* | --hdr-log | --hdr-log=*)
      [ "$procs" -eq 1 ] ||
        die "LOAD_ARGS: $a would have $gens generators write one file; each writes its full result to RUN/gen<i>.json (latency histogram included)" ;;
  esac
done

# A multi-worker server needs a shared broker; without one given, a Redis of its own on the server "host".
workers=1
has_broker=0
for ((j = 0; j < ${#serve_args[@]}; j++)); do
  case ${serve_args[j]} in
    --workers) workers=${serve_args[j + 1]:-1} ;;
    --workers=*) workers=${serve_args[j]#*=} ;;
    --broker | --broker=*) has_broker=1 ;;
  esac
done
need_redis=0
[[ $workers =~ ^[0-9]+$ ]] && [ "$workers" -gt 1 ] && [ "$has_broker" -eq 0 ] && need_redis=1

# ---- Requirements, all checked before anything is created.
require_root_and_ip
[ -x "$rtbench" ] || die "no rtbench binary at $rtbench: build it (cmake --build --preset default), or give --rtbench PATH or RTBENCH=PATH"
rtbench=$(readlink -f "$rtbench")
if [ "$need_redis" -eq 1 ]; then
  { command -v redis-server && command -v redis-cli; } >/dev/null ||
    die "--workers $workers without --broker needs redis-server and redis-cli: install redis-server (scripts/install-deps.sh does), or give --broker redis://..."
fi
if [ "$procs" -eq 1 ]; then
  # The help is read whole before grep: with pipefail, grep -q leaving early would SIGPIPE rtbench and fail the check.
  load_help=$("$rtbench" load --help 2>/dev/null) || true
  grep -q -- '--procs-exec' <<<"$load_help" ||
    die "--procs: $rtbench load has no --procs/--procs-exec yet; rebuild it, or run without --procs"
fi
check_cpus() {  # OPTION LIST: taskset must accept LIST
  [ -n "$2" ] || return 0
  command -v taskset >/dev/null || die "$1 needs taskset: install util-linux"
  taskset -c "$2" true 2>/dev/null ||
    die "$1 $2: not a CPU list of this machine (CPUs 0-$(($(nproc --all) - 1)); e.g. 0 or 0,1)"
}
check_cpus --server-cpu "$server_cpu"
check_cpus --gen-cpu "$gen_cpu"

# ---- State the EXIT trap reads, so it stops and deletes exactly what this run started and created.
run_id=rtb$$
run_pattern="^$run_id(s|g[0-9]+)\$"
srv_ns=${run_id}s
gen_ns=()
for ((i = 0; i < gens; i++)); do gen_ns+=("${run_id}g$i"); done
owns_names=0     # set once no namespace of this run's names existed: from then on the trap deletes them
redis_pid=
redis_port=
redis_status=
server_pid=
server_status=
gen_pids=()      # a generator's entry is emptied once it is reaped
gen_status=()
gen_json=()      # per generator process: its --json file and its log
gen_log=()
interrupted=0
out=
cleanup_ok=

# shellcheck disable=SC2317  # called by the EXIT trap
print_summary() {
  local i
  echo
  echo "$self: summary of run $run_id"
  printf '  %-14s %-10s %-16s %s\n' "server" "$srv_ns" "$server_ip:$port" \
    "exit ${server_status:-(not started)}  $out/serve.log"
  [ -n "$redis_port" ] && printf '  %-14s %-10s %-16s %s\n' "redis-server" "$srv_ns" "127.0.0.1:$redis_port" \
    "exit ${redis_status:-(not started)}  $out/redis.log"
  for ((i = 0; i < gens; i++)); do
    if [ "$procs" -eq 1 ]; then
      printf '  %-14s %-10s %s\n' "generator $i" "${gen_ns[i]}" "$(gen_ip "$i")/$prefix_len"
    else
      printf '  %-14s %-10s %-16s %s\n' "generator $i" "${gen_ns[i]}" "$(gen_ip "$i")/$prefix_len" \
        "exit ${gen_status[i]:-(not started)}  ${gen_json[i]:-} ${gen_log[i]:-}"
    fi
  done
  [ "$procs" -eq 1 ] &&
    printf '  %-14s %s\n' "load --procs" "exit ${gen_status[0]:-(not started)}  ${gen_json[0]:-} ${gen_log[0]:-}"
  echo "  network: $server_ip/$prefix_len on bridge br0 in $srv_ns, one veth pair per generator"
  echo "  commands: $out/commands.txt"
  echo "  namespaces: ${cleanup_ok:-not checked}"
}

# shellcheck disable=SC2317  # the EXIT trap
on_exit() {
  local status=$? i left
  set +e
  trap '' INT TERM  # a second Ctrl-C must not cut the cleanup short; every step below has a time limit
  [ "$interrupted" -eq 1 ] && { echo "$self: interrupted: stopping the run" >&2; status=1; }
  for i in "${!gen_pids[@]}"; do
    [ -n "${gen_pids[i]}" ] || continue
    stop_child "${gen_pids[i]}" "generator $i"
    gen_status[i]="$reaped_status (stopped)"
  done
  if [ -n "$server_pid" ]; then
    stop_child "$server_pid" "the server"
    server_status=$reaped_status
    if [ "$server_status" != 0 ]; then
      echo "$self: the server exited with status $server_status when stopped; its log: $out/serve.log" >&2
      [ "$status" -eq 0 ] && status=1
    fi
  fi
  if [ -n "$redis_pid" ]; then
    stop_child "$redis_pid" "redis-server"
    redis_status=$reaped_status
  fi
  if [ "$owns_names" -eq 1 ]; then
    for ns in "$srv_ns" "${gen_ns[@]}"; do
      if grep -q "^$ns\( \|$\)" <<<"$(ip netns list)"; then remove_ns "$ns"; fi
    done
    left=$(namespaces_matching "$run_pattern" | tr '\n' ' ')
    if [ -n "$left" ]; then
      cleanup_ok="LEFT BEHIND: $left(scripts/netns-hosts.sh cleanup deletes them)"
      echo "$self: namespaces of this run are left: $left" >&2
      [ "$status" -eq 0 ] && status=2
    else
      cleanup_ok="all deleted (ip netns list shows none named $run_id*)"
    fi
  fi
  [ -n "$out" ] && print_summary
  exit "$status"
}
trap on_exit EXIT
trap 'interrupted=1; exit 1' INT TERM

# The run directory; $out stays empty until it exists, so an error before that prints no summary.
if [ -n "$out_option" ]; then
  mkdir -p "$out_option" || die "--out $out_option: cannot create it"
  out=$(readlink -f "$out_option")
else
  out=$(mktemp -d "${TMPDIR:-/tmp}/netns-hosts.XXXXXX") || die "cannot create a run directory under ${TMPDIR:-/tmp}"
fi
: >"$out/commands.txt"

# Runs a command in the background with its output to file $1; sets last_pid. The command line goes to
# commands.txt, so the summary can say exactly what ran.
launch() {
  local log=$1
  shift
  printf '%q ' "$@" >>"$out/commands.txt"
  echo >>"$out/commands.txt"
  "$@" >"$log" 2>&1 &
  last_pid=$!
}

# Sets sysctl $2 (a /proc/sys path) to $3 inside namespace $1: /proc/sys/net is per network namespace, so
# the host's own setting is untouched.
# shellcheck disable=SC2016  # $1 and $2 are the inner shell's
ns_sysctl() { setup ip netns exec "$1" sh -c 'printf "%s\n" "$2" > "/proc/sys/$1"' _ "$2" "$3"; }

# Runs a setup command; on failure names it and exits 2 (ip has already said why on stderr).
setup() { "$@" || die "setup failed: $* (the message above says why)"; }

# ---- The topology. A PID in use again after a run killed with SIGKILL finds its names taken.
existing=$(namespaces_matching "$run_pattern" | tr '\n' ' ')
[ -z "$existing" ] || die "namespaces named like this run's are left from an earlier run: ${existing}- delete them with scripts/netns-hosts.sh cleanup"
owns_names=1

setup ip netns add "$srv_ns"
setup ip -n "$srv_ns" link set lo up
setup ip -n "$srv_ns" link add br0 type bridge
setup ip -n "$srv_ns" addr add "$server_ip/$prefix_len" dev br0
setup ip -n "$srv_ns" link set br0 up
# The kernel caps serve's --backlog at somaxconn, which is per namespace; 4096 is what serve asks for.
somaxconn=$(ip netns exec "$srv_ns" cat /proc/sys/net/core/somaxconn)
[ "$somaxconn" -ge 4096 ] || ns_sysctl "$srv_ns" net/core/somaxconn 4096
for ((i = 0; i < gens; i++)); do
  ns=${gen_ns[i]}
  setup ip netns add "$ns"
  setup ip -n "$ns" link set lo up
  # Both ends are born inside their namespaces (never in the host's), so deleting the namespaces deletes them.
  setup ip -n "$srv_ns" link add "g$i" type veth peer name eth0 netns "$ns"
  setup ip -n "$srv_ns" link set "g$i" master br0
  setup ip -n "$srv_ns" link set "g$i" up
  setup ip -n "$ns" addr add "$(gen_ip "$i")/$prefix_len" dev eth0
  setup ip -n "$ns" link set eth0 up
  # ~64k source ports towards the one server port instead of the default ~28k.
  ns_sysctl "$ns" net/ipv4/ip_local_port_range "1024 65535"
done

server_pin=()
[ -n "$server_cpu" ] && server_pin=(taskset -c "$server_cpu")
gen_pin=()
[ -n "$gen_cpu" ] && gen_pin=(taskset -c "$gen_cpu")

if [ "$need_redis" -eq 1 ]; then
  # The server namespace's loopback is its own and empty: the port is free unless the server wants it.
  redis_port=6379
  [ "$port" -eq 6379 ] && redis_port=6380
  launch "$out/redis.log" ip netns exec "$srv_ns" "${server_pin[@]}" redis-server --bind 127.0.0.1 \
    --port "$redis_port" --save '' --appendonly no --daemonize no
  redis_pid=$last_pid
  for ((i = 0; ; i++)); do
    [ "$(ip netns exec "$srv_ns" timeout 1 redis-cli -p "$redis_port" ping 2>/dev/null)" = PONG ] && break
    running "$redis_pid" || die "redis-server ended at start; its log $out/redis.log: $(tail -n 5 "$out/redis.log")"
    [ "$i" -lt 100 ] || die "redis-server did not answer PING within 10 s; its log: $out/redis.log"
    sleep 0.1
  done
  serve_args+=(--broker "redis://127.0.0.1:$redis_port")
fi

launch "$out/serve.log" ip netns exec "$srv_ns" "${server_pin[@]}" "$rtbench" serve --host 0.0.0.0 \
  --port "$port" "${serve_args[@]}"
server_pid=$last_pid
for ((i = 0; ; i++)); do
  listening=$(grep -o -m 1 '^rtbench serve: listening on [a-z]*://' "$out/serve.log" || true)
  [ -n "$listening" ] && break
  if ! running "$server_pid"; then
    server_status=0
    wait "$server_pid" || server_status=$?
    server_pid=
    die "the server exited (status $server_status) before listening: check SERVE_ARGS; its log $out/serve.log:
$(tail -n 5 "$out/serve.log")"
  fi
  [ "$i" -lt 100 ] || die "the server did not print its 'listening' line within 10 s; its log: $out/serve.log"
  sleep 0.1
done
scheme=${listening##* on }
url="${scheme%://}://$server_ip:$port"

# Every generator host reaches the server before the load starts, so a broken link is a setup error here
# rather than connection errors counted in the results.
for ns in "${gen_ns[@]}"; do
  for ((i = 0; ; i++)); do
    ip netns exec "$ns" timeout 1 bash -c "exec 3<>/dev/tcp/$server_ip/$port" 2>/dev/null && break
    [ "$i" -lt 50 ] || die "namespace $ns cannot connect to $server_ip:$port within 5 s (see ip -n $ns addr, ip -n $srv_ns link)"
    sleep 0.1
  done
done

# ---- The generators, each bounded by timeout (SIGKILL 10 s after its SIGTERM).
if [ "$procs" -eq 1 ]; then
  # One process that splits its clients over $gens children, child i moved into namespace i by --procs-exec.
  # It starts in generator namespace 0, since the root namespace has no route to the server.
  gen_json[0]=$out/load.json
  gen_log[0]=$out/load.log
  launch "${gen_log[0]}" timeout --kill-after=10 "$timeout_s" ip netns exec "${gen_ns[0]}" "${gen_pin[@]}" \
    "$rtbench" load --procs "$gens" --procs-exec "ip netns exec ${run_id}g{i}" --url "$url" "${load_args[@]}" \
    --json "${gen_json[0]}"
  gen_pids[0]=$last_pid
else
  for ((i = 0; i < gens; i++)); do
    gen_json[i]=$out/gen$i.json
    gen_log[i]=$out/gen$i.log
    launch "${gen_log[i]}" timeout --kill-after=10 "$timeout_s" ip netns exec "${gen_ns[i]}" "${gen_pin[@]}" \
      "$rtbench" load --url "$url" "${load_args[@]//'{i}'/$i}" --json "${gen_json[i]}"
    gen_pids[i]=$last_pid
  done
fi
echo "$self: server $url in $srv_ns; ${#gen_pids[@]} generator process(es) running; logs in $out"

failed=0
refused=0
for i in "${!gen_pids[@]}"; do
  st=0
  wait "${gen_pids[i]}" || st=$?
  gen_pids[i]=
  gen_status[i]=$st
  [ "$st" -eq 0 ] && continue
  failed=$((failed + 1))
  case $st in
    124 | 137) echo "$self: generator $i did not end within --timeout $timeout_s s: stopped; its log ${gen_log[i]}" >&2 ;;
    2) refused=$((refused + 1)); echo "$self: generator $i refused to run (exit 2); its log ${gen_log[i]}:" >&2 ;;
    *) echo "$self: generator $i failed (exit $st); its log ${gen_log[i]}:" >&2 ;;
  esac
  tail -n 5 "${gen_log[i]}" >&2
done

status=0
if ! running "$server_pid"; then
  server_status=0
  wait "$server_pid" || server_status=$?
  server_pid=
  echo "$self: the server ended during the run (exit $server_status); its log $out/serve.log" >&2
  status=1
elif [ "$failed" -gt 0 ]; then
  status=1
  # Every generator refusing its arguments is a usage error, not a failed measurement.
  [ "$refused" -eq "$failed" ] && [ "$failed" -eq "${#gen_pids[@]}" ] && status=2
fi
exit "$status"
