#!/usr/bin/env bash
# Did a change make the server slower or bigger? Two rtbench binaries (OLD and NEW), side by side in one run:
#  - user CPU per empty keep-alive poll (wrk -t1 -c50 on /poll -> 204) and per WebSocket echo round trip
#    (`rtbench load --transport echo`, 100 connections, 32 B), both servers pinned to core 0 and the load to
#    core 1; rounds alternate which one goes first, and each round's NEW/OLD ratio is kept, so that the host's
#    drift (this kind of VM swings 30% in minutes) cancels within a pair. Medians of the paired ratios.
#  - bytes per idle connection at CLIENTS (RSS delta / N, a fresh server each) for ws, sse, a parked long poll
#    and an idle keep-alive connection.
# The load generator is NEW's for both, so only the server differs.
# Usage: scripts/bench-before-after.sh OLD_RTBENCH NEW_RTBENCH [ROUNDS] [SECONDS] [CLIENTS]
#        (defaults 12 rounds of 5 s, 10000 clients). Exit 0, or 2 on a usage error or a failed run.
source "$(dirname "$0")/lib/script-help.sh"
set -euo pipefail
if [ $# -lt 2 ] || [ ! -x "$1" ] || [ ! -x "$2" ]; then
  echo "usage: $0 OLD_RTBENCH NEW_RTBENCH [ROUNDS] [SECONDS] [CLIENTS] (two executable rtbench binaries)" >&2
  exit 2
fi
old=$1 new=$2 rounds=${3:-12} secs=${4:-5} clients=${5:-10000}
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib/bench-common.sh
source scripts/lib/bench-common.sh
command -v wrk >/dev/null || { echo "wrk is missing: RTB_BENCH_DEPS=1 scripts/install-deps.sh" >&2; exit 2; }

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# bin port -> starts `serve` on core 0, sets $srv
serve() {
  taskset -c 0 "$1" serve --port "$2" >"$work/serve-$2.log" 2>&1 &
  srv=$!
  pids+=("$srv")
  wait_http "http://127.0.0.1:$2/stats" || { echo "server on port $2 did not start" >&2; exit 2; }
}

# user CPU (us) per operation of server $1 while "$@" runs; the command prints the operation count last.
user_us_per_op() {
  local pid=$1 b a ops
  shift
  b=$(cpu_split "$pid")
  ops=$("$@" | tail -1)
  a=$(cpu_split "$pid")
  [ "$ops" -gt 0 ] || { echo "a run did no operation" >&2; exit 2; }
  echo "$b $a" | awk -v t="$tick" -v n="$ops" '{ printf "%.4f\n", ($3 - $1) / t * 1e6 / n }'
}
poll_run() {  # url -> requests
  taskset -c 1 wrk -t1 -c50 -d"${secs}s" "$1" | awk '/requests in/ { print $1 }'
}
echo_run() {  # url -> round trips
  taskset -c 1 "$new" load --transport echo --url "$1" -c 100 --payload-bytes 32 -d "$secs" --warmup-s 0 \
    --drain-s 1 -q --csv "$work/echo.csv" >/dev/null
  csv_column "$work/echo.csv" delivered
}

# name runner old_url new_url -> one "name round old_us new_us ratio" line per round, then the medians
paired() {
  local name=$1 runner=$2 ou=$3 nu=$4 o n
  "$runner" "$ou" >/dev/null
  "$runner" "$nu" >/dev/null  # warm-up, not counted
  for r in $(seq "$rounds"); do
    if ((r % 2)); then
      o=$(user_us_per_op "$old_pid" "$runner" "$ou")
      n=$(user_us_per_op "$new_pid" "$runner" "$nu")
    else
      n=$(user_us_per_op "$new_pid" "$runner" "$nu")
      o=$(user_us_per_op "$old_pid" "$runner" "$ou")
    fi
    echo "$name $r $o $n" | awk '{ printf "%s round %d: old %.3f us, new %.3f us, new/old %.3f\n", $1, $2, $3, $4, $4 / $3 }' \
      | tee -a "$work/$name.txt" >&2
  done
  printf '%s user CPU per op, medians: old %s us, new %s us; median of paired new/old ratios %s\n' "$name" \
    "$(awk '{ print $5 }' "$work/$name.txt" | median)" "$(awk '{ print $8 }' "$work/$name.txt" | median)" \
    "$(awk '{ print $11 }' "$work/$name.txt" | median)"
}

echo "old: $old ($("$old" --version)), new: $new ($("$new" --version)); $rounds rounds of ${secs}s"
serve "$old" 18401
old_pid=$srv
serve "$new" 18402
new_pid=$srv
oid=$(curl -fs -X POST --data x http://127.0.0.1:18401/publish)
nid=$(curl -fs -X POST --data x http://127.0.0.1:18402/publish)
paired poll poll_run "http://127.0.0.1:18401/poll?since=$oid" "http://127.0.0.1:18402/poll?since=$nid"
paired echo echo_run http://127.0.0.1:18401/echo http://127.0.0.1:18402/echo
for p in "$old_pid" "$new_pid"; do kill -INT "$p"; wait "$p" || true; done
pids=()

# bin args... -> bytes per idle connection (a fresh server; NEW's generator)
idle_bytes() {
  local bin=$1
  shift
  bytes_per_idle_conn "$bin" "$new" 18403 "$clients" "$work" "$@" || exit 2
}
for t in "ws" "sse" "longpoll --longpoll-timeout-ms 60000" "poll --poll-interval-ms 3600000"; do
  # shellcheck disable=SC2086  # $t is a transport and its options
  o=$(idle_bytes "$old" --transport $t)
  # shellcheck disable=SC2086
  n=$(idle_bytes "$new" --transport $t)
  awk -v t="${t%% *}" -v o="$o" -v n="$n" -v c="$clients" 'BEGIN {
    printf "idle %s at %d: old %.0f B, new %.0f B per connection, new/old %.3f\n", t, c, o, n, n / o }'
done
