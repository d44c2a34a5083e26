# Shell helpers shared by the peer benchmarks (scripts/bench-*-peer.sh); source it, do not run it.
# shellcheck shell=bash disable=SC2034  # bin and tick are for the scripts that source this

# Builds rtbench and sets $bin. RTB_BUILD_DIR=<dir> uses an existing build folder instead of the default
# preset's build/ (what results use).
build_rtbench() {
  if [ -n "${RTB_BUILD_DIR:-}" ]; then
    cmake --build "$RTB_BUILD_DIR" -j"$(nproc)" --target rtbench >/dev/null
    bin=$RTB_BUILD_DIR/harness/rtbench
  else
    scripts/configure.sh default && cmake --build --preset default -j"$(nproc)" --target rtbench >/dev/null
    bin=build/harness/rtbench
  fi
}

# Builds rtbench-floor (bench/floor_server.cpp) in the same build folder and sets $floor_bin; call after
# build_rtbench.
build_floor() {
  local dir=${RTB_BUILD_DIR:-build}
  cmake --build "$dir" -j"$(nproc)" --target rtbench-floor >/dev/null
  floor_bin=$dir/bench/rtbench-floor
}

# The same for rtbench-floor-push (bench/floor_push_server.cpp: WebSocket echo and broadcast); sets
# $floor_push_bin.
build_floor_push() {
  local dir=${RTB_BUILD_DIR:-build}
  cmake --build "$dir" -j"$(nproc)" --target rtbench-floor-push >/dev/null
  floor_push_bin=$dir/bench/rtbench-floor-push
}

tick=$(getconf CLK_TCK)

# utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/PID/stat, after the command name).
cpu_ticks() { awk '{ sub(/.*\) /, ""); split($0, f, " "); print f[12] + f[13] }' "/proc/$1/stat"; }
# "utime stime" of a process, in clock ticks: where a server's CPU goes (its own code vs the kernel's TCP).
cpu_split() { awk '{ sub(/.*\) /, ""); split($0, f, " "); print f[12], f[13] }' "/proc/$1/stat"; }

# Runs a command in the background and prints "<cpu_ticks> <exit status>" once it ended; its stdout goes
# to the file $1. The last /proc sample is taken at most 10 ms before the process exits (/proc/PID/stat is
# gone after that), the same for every generator measured this way.
run_sampling_cpu() {
  local out=$1 pid ticks=0 status=0
  shift
  "$@" >"$out" &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    ticks=$(cpu_ticks "$pid" 2>/dev/null || echo "$ticks")
    sleep 0.01
  done
  wait "$pid" || status=$?
  echo "$ticks $status"
}

# The median of the numbers on stdin, one a line.
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# The value of column $2 in the last row of CSV file $1 (the columns rtbench load --csv documents).
csv_column() { awk -F, -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i } END { print $k }' "$1"; }

# Waits up to 5 s for an HTTP answer from URL $1.
wait_http() { for _ in $(seq 50); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; return 1; }

# Server bytes per idle connection (the CSV's server_bytes_per_idle_conn, RSS delta / N): a fresh
# `SERVER serve` on PORT pinned to core 0, CLIENTS clients of `LOAD load ARGS...` on core 1 that receive no
# event, then the server stopped. Files go to WORKDIR. Returns 2 (having said why) when a side fails.
# Usage: bytes_per_idle_conn SERVER LOAD PORT CLIENTS WORKDIR ARGS...
bytes_per_idle_conn() {
  local server=$1 load=$2 port=$3 clients=$4 work=$5 srv
  shift 5
  taskset -c 0 "$server" serve --port "$port" >"$work/idle-serve.log" 2>&1 &
  srv=$!
  if ! wait_http "http://127.0.0.1:$port/stats"; then
    kill "$srv" 2>/dev/null
    echo "the server did not start on port $port (log: $work/idle-serve.log)" >&2
    return 2
  fi
  if ! taskset -c 1 "$load" load --url "http://127.0.0.1:$port" "$@" -c "$clients" --rate 0 --warmup-s 0 -d 2 \
    --drain-s 0 --server-pid "$srv" -q --csv "$work/idle.csv" >"$work/idle.out" 2>&1; then
    cat "$work/idle.out" >&2
    kill -INT "$srv"
    wait "$srv" || true
    return 2
  fi
  kill -INT "$srv"
  wait "$srv" || true
  csv_column "$work/idle.csv" server_bytes_per_idle_conn
}

# For the scripts that run a node peer: makes $work, a temporary folder with npm's `ws`@8 installed in it (a
# peer script copied there finds it with require('ws')), and $pids, the processes to stop; on exit every one
# of them is killed and waited for and $work removed.
with_node_ws_work_dir() {
  work=$(mktemp -d)
  pids=()
  trap stop_pids_and_remove_work EXIT
  npm install --prefix "$work" --no-audit --no-fund --silent ws@8 >/dev/null
}
stop_pids_and_remove_work() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
