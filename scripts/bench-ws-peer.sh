#!/usr/bin/env bash
# WebSocket server cost: echo round trips, 100 connections, 32 B messages, against `rtbench serve`'s
# /echo, node 20 + npm `ws`@8 (installed into a temporary folder at bench time) and the floor (rtbench-floor-push:
# per read, the frames unmasked and written back in one write(), nothing else). Each server pinned to core 0
# (all run, one is driven at a time), `rtbench load --transport echo` pinned to core 1; rounds alternate, a
# warm-up round first (not counted). Server CPU is utime + stime from /proc/PID/stat around each load run. The
# headline: rtbench's user-space CPU per round trip as a ratio to ws's, then total CPU as a ratio to the floor.
# Usage: scripts/bench-ws-peer.sh [SECONDS] [ROUNDS]   (RTB_BUILD_DIR=<dir>: use that build folder)
source "$(dirname "$0")/lib/script-help.sh"
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
rounds=${2:-3}
# shellcheck source=scripts/lib/bench-common.sh
source scripts/lib/bench-common.sh
RTB_BENCH_DEPS=1 scripts/install-deps.sh >/dev/null
build_rtbench
build_floor_push

with_node_ws_work_dir
cp scripts/peers/ws-echo-server.js "$work/"
taskset -c 0 node "$work/ws-echo-server.js" 18093 >"$work/ws.log" 2>&1 &
ws=$!
pids+=("$ws")
taskset -c 0 "$bin" serve --port 18094 >"$work/serve.log" 2>&1 &
rtb=$!
pids+=("$rtb")
taskset -c 0 "$floor_push_bin" --port 18095 >"$work/floor.log" 2>&1 &
flo=$!
pids+=("$flo")
wait_http http://127.0.0.1:18094/stats
wait_http http://127.0.0.1:18095/
for _ in $(seq 50); do grep -q "echo on" "$work/ws.log" && break; sleep 0.1; done
echo "node $(node --version), $(cat "$work/ws.log")"

# name pid url -> "name rt_per_s=R server_cpu_us_per_rt=U window_us_per_rt=W lost=L"
run_one() {
  local name=$1 pid=$2 url=$3 before after
  rm -f "$work/load.csv"
  before=$(cpu_split "$pid")
  # No warm-up: every round trip of the run is counted, like the server CPU around it.
  taskset -c 1 "$bin" load --transport echo --url "$url" -c 100 --payload-bytes 32 -d "$secs" --warmup-s 0 \
    --drain-s 1 --server-pid "$pid" -q --csv "$work/load.csv" >"$work/load.out" ||
    { cat "$work/load.out" >&2; exit 1; }
  after=$(cpu_split "$pid")
  echo "$before $after" | awk -v n="$name" -v t="$tick" -v rt="$(csv_column "$work/load.csv" delivered)" \
    -v rps="$(csv_column "$work/load.csv" events_per_s)" -v w="$(csv_column "$work/load.csv" server_cpu_us_per_op)" \
    -v lost="$(csv_column "$work/load.csv" lost)" \
    '{ u = ($3 - $1) / t * 1e6 / rt; s = ($4 - $2) / t * 1e6 / rt
       printf "%s rt_per_s=%.0f server_cpu_us_per_rt=%.3f window_us_per_rt=%.3f lost=%d user_us=%.3f sys_us=%.3f\n",
              n, rps, u + s, w, lost, u, s }'
}

echo "warm-up round (not counted):"
run_one rtbench "$rtb" http://127.0.0.1:18094/echo
run_one ws "$ws" http://127.0.0.1:18093/
run_one floor "$flo" http://127.0.0.1:18095/echo
results=$(for _ in $(seq "$rounds"); do
  run_one rtbench "$rtb" http://127.0.0.1:18094/echo
  run_one ws "$ws" http://127.0.0.1:18093/
  run_one floor "$flo" http://127.0.0.1:18095/echo
done)
echo "$results"
col() { echo "$results" | awk -v n="$1" -v f="$2" '$1 == n { split($f, kv, "="); print kv[2] }'; }
r=$(col rtbench 3 | median) w=$(col ws 3 | median) f=$(col floor 3 | median)
ru=$(col rtbench 6 | median) wu=$(col ws 6 | median)
awk -v r="$ru" -v w="$wu" 'BEGIN { printf "HEADLINE user-space CPU per round trip: rtbench %.3f us, ws %.3f us, rtbench/ws = %.3f\n", r, w, r / w }'
awk -v r="$r" -v w="$w" -v f="$f" 'BEGIN { printf "HEADLINE total CPU per round trip: rtbench %.3f us = %.2f x floor, ws %.3f us = %.2f x floor, floor %.3f us\n", r, r / f, w, w / f, f }'
echo "median round trips/s: rtbench $(col rtbench 2 | median), ws $(col ws 2 | median), floor $(col floor 2 | median)"
echo "median user/kernel us per round trip: rtbench $ru/$(col rtbench 7 | median), ws $wu/$(col ws 7 | median), floor $(col floor 6 | median)/$(col floor 7 | median)"
