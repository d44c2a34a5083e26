#!/usr/bin/env bash
# Broadcast cost: server CPU per delivery for CLIENTS subscribers of one channel and RATE events/s (64 B),
# published with pipelined POST /publish, against `rtbench serve`, node 20 + npm `ws`@8 with node's http for
# SSE (scripts/peers/broadcast-server.js, installed into a temporary folder at bench time) and the floor
# (rtbench-floor-push: the event's frame built once, one write() per subscriber socket). Each server pinned to
# core 0 (all run, one is driven at a time), `rtbench load` pinned to core 1, for each transport of TRANSPORTS;
# rounds alternate the servers, a warm-up round first (not counted). CPU is the server's utime and stime over the
# load's measure window (its CSV: server_cpu_us_per_op, server_user_cpu_us_per_op), so connecting the
# subscribers is not in it. A run that loses, duplicates or reorders an event fails the script.
# The headlines, per transport: rtbench's user-space CPU per delivery as a ratio to node's, then total CPU per
# delivery as a ratio to the floor.
# Usage: scripts/bench-broadcast-peer.sh [CLIENTS] [RATE] [ROUNDS] [TRANSPORTS] [SECONDS]
#        (defaults 1000 subscribers, 50 000 / CLIENTS events/s, 3 rounds, "ws sse", 10 s windows).
#        RTB_BUILD_DIR=<dir>: use that build folder. Exit 0; 1 when a run lost events; 2 on a setup error.
source "$(dirname "$0")/lib/script-help.sh"
set -euo pipefail
cd "$(dirname "$0")/.."
clients=${1:-1000}
rate=${2:-$((50000 / clients))}
rounds=${3:-3}
transports=${4:-ws sse}
secs=${5:-10}
[ "$rate" -gt 0 ] || { echo "bench-broadcast-peer: RATE must be at least 1 event/s" >&2; exit 2; }
# shellcheck source=scripts/lib/bench-common.sh
source scripts/lib/bench-common.sh
RTB_BENCH_DEPS=1 scripts/install-deps.sh >/dev/null
build_rtbench
build_floor_push

with_node_ws_work_dir
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rtb_port=$(free_port) node_port=$(free_port) floor_port=$(free_port)

cp scripts/peers/broadcast-server.js "$work/"
taskset -c 0 node "$work/broadcast-server.js" "$node_port" >"$work/node.log" 2>&1 &
node_pid=$!
pids+=("$node_pid")
taskset -c 0 "$bin" serve --port "$rtb_port" >"$work/serve.log" 2>&1 &
rtb_pid=$!
pids+=("$rtb_pid")
taskset -c 0 "$floor_push_bin" --port "$floor_port" >"$work/floor.log" 2>&1 &
floor_pid=$!
pids+=("$floor_pid")
for url in "http://127.0.0.1:$rtb_port/stats" "http://127.0.0.1:$node_port/" "http://127.0.0.1:$floor_port/"; do
  wait_http "$url" || { echo "bench-broadcast-peer: nothing answers at $url" >&2; exit 2; }
done
echo "$clients subscribers, $rate events/s of 64 B (publish: pipelined POST), ${secs} s windows, $rounds rounds"
cat "$work/node.log"

# transport name pid port -> "transport name deliveries_per_s=D cpu_us=C user_us=U sys_us=S p50_ms=P lost=L"
run_one() {
  local transport=$1 name=$2 pid=$3 port=$4 status=0
  rm -f "$work/load.csv"
  taskset -c 1 "$bin" load --url "http://127.0.0.1:$port" --transport "$transport" -c "$clients" --rate "$rate" \
    --publish-via http --warmup-s 2 -d "$secs" --drain-s 2 --server-pid "$pid" -q --csv "$work/load.csv" \
    >"$work/load.out" 2>&1 || status=$?
  if [ "$status" -ne 0 ] || [ ! -s "$work/load.csv" ]; then
    cat "$work/load.out" >&2
    echo "bench-broadcast-peer: $name ($transport) failed" >&2
    exit 1
  fi
  local lost dup reord
  lost=$(csv_column "$work/load.csv" lost) dup=$(csv_column "$work/load.csv" duplicated)
  reord=$(csv_column "$work/load.csv" reordered)
  if [ "$lost" != 0 ] || [ "$dup" != 0 ] || [ "$reord" != 0 ]; then
    echo "bench-broadcast-peer: $name ($transport) lost $lost, duplicated $dup, reordered $reord" >&2
    exit 1
  fi
  awk -v t="$transport" -v n="$name" -v d="$(csv_column "$work/load.csv" events_per_s)" \
    -v c="$(csv_column "$work/load.csv" server_cpu_us_per_op)" \
    -v u="$(csv_column "$work/load.csv" server_user_cpu_us_per_op)" \
    -v p="$(csv_column "$work/load.csv" p50_us)" -v l="$lost" \
    'BEGIN { printf "%s %s deliveries_per_s=%.0f cpu_us=%.3f user_us=%.3f sys_us=%.3f p50_ms=%.2f lost=%d\n",
             t, n, d, c, u, c - u, p / 1000, l }'
}

all=""
for transport in $transports; do
  echo "warm-up round ($transport, not counted):"
  run_one "$transport" rtbench "$rtb_pid" "$rtb_port"
  run_one "$transport" node "$node_pid" "$node_port"
  run_one "$transport" floor "$floor_pid" "$floor_port"
  for _ in $(seq "$rounds"); do
    all+=$(run_one "$transport" rtbench "$rtb_pid" "$rtb_port")$'\n'
    all+=$(run_one "$transport" node "$node_pid" "$node_port")$'\n'
    all+=$(run_one "$transport" floor "$floor_pid" "$floor_port")$'\n'
  done
done
echo -n "$all"
col() { echo -n "$all" | awk -v t="$1" -v n="$2" -v f="$3" '$1 == t && $2 == n { split($f, kv, "="); print kv[2] }'; }
for transport in $transports; do
  ru=$(col "$transport" rtbench 5 | median) nu=$(col "$transport" node 5 | median)
  r=$(col "$transport" rtbench 4 | median) n=$(col "$transport" node 4 | median) f=$(col "$transport" floor 4 | median)
  awk -v t="$transport" -v c="$clients" -v r="$ru" -v n="$nu" 'BEGIN {
    printf "HEADLINE %s, %d subscribers: user-space CPU per delivery: rtbench %.3f us, node %.3f us, rtbench/node = %.3f\n",
           t, c, r, n, r / n }'
  awk -v t="$transport" -v c="$clients" -v r="$r" -v n="$n" -v f="$f" 'BEGIN {
    printf "HEADLINE %s, %d subscribers: total CPU per delivery: rtbench %.3f us = %.2f x floor, node %.3f us = %.2f x floor, floor %.3f us\n",
           t, c, r, r / f, n, n / f, f }'
  echo "$transport median user/kernel us per delivery: rtbench $ru/$(col "$transport" rtbench 6 | median)," \
    "node $nu/$(col "$transport" node 6 | median)," \
    "floor $(col "$transport" floor 5 | median)/$(col "$transport" floor 6 | median);" \
    "p50 ms: rtbench $(col "$transport" rtbench 7 | median), node $(col "$transport" node 7 | median)," \
    "floor $(col "$transport" floor 7 | median)"
done
