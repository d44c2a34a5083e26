#!/usr/bin/env bash
# Soak: `rtbench serve` (core 0) under steady mixed load (core 1: one `rtbench load` per transport, poll,
# longpoll, sse and ws, at once) for MINUTES; server RSS sampled after the warm-up and at the end.
#
#   scripts/soak.sh [--lsan] MINUTES
#
# --lsan runs the server from the sanitizer build (build-asan, `cmake --preset asan && cmake --build --preset
# asan`) and fails when LeakSanitizer reports anything at the graceful shutdown (SIGINT). Without it the
# server is build/harness/rtbench (`cmake --preset default && cmake --build --preset default`). The loads
# always come from the normal build. RTBENCH / RTBENCH_SERVER override the binaries, SOAK_PORT the port
# (default 18080), SOAK_CLIENTS the subscribers per transport (50) and SOAK_RATE the events/s per channel (50).
#
# Exit status: non-zero when RSS drifted more than 1% (judged in the normal build only: under ASan freed memory
# waits in a quarantine of up to 256 MiB, so RSS grows whatever the server does), LeakSanitizer reported a
# leak, a load lost an event or saw a connection error, or a process failed.
source "$(dirname "$0")/lib/script-help.sh"
set -euo pipefail

usage() {
  echo "usage: $0 [--lsan] MINUTES" >&2
  exit 2
}

lsan=0
minutes=""
for arg in "$@"; do
  case "$arg" in
    --lsan) lsan=1 ;;
    -h | --help) usage ;;
    *) [[ -z "$minutes" && "$arg" =~ ^[0-9]+$ && "$arg" -gt 0 ]] && minutes="$arg" || usage ;;
  esac
done
[[ -n "$minutes" ]] || usage

root="$(cd "$(dirname "$0")/.." && pwd)"
load_bin="${RTBENCH:-$root/build/harness/rtbench}"
if [[ $lsan -eq 1 ]]; then
  server_bin="${RTBENCH_SERVER:-$root/build-asan/harness/rtbench}"
else
  server_bin="${RTBENCH_SERVER:-$load_bin}"
fi
for bin in "$load_bin" "$server_bin"; do
  [[ -x "$bin" ]] || { echo "soak: $bin not found: build it first (see the header of $0)" >&2; exit 2; }
done

port="${SOAK_PORT:-18080}"
clients="${SOAK_CLIENTS:-50}"
rate="${SOAK_RATE:-50}"
warmup_s=10
duration_s=$((minutes * 60))
transports=(poll longpoll sse ws)
work="$(mktemp -d /tmp/rtb-soak.XXXXXX)"

server_pid=""
load_pids=()
cleanup() {
  # Only the processes this script started, by pid.
  for pid in "${load_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -INT "$server_pid" 2>/dev/null || true
    sleep 2
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "soak: port $port is in use (set SOAK_PORT)" >&2
  exit 2
fi

# LeakSanitizer runs at exit; exitcode=23 tells a leak from any other failure.
export ASAN_OPTIONS="detect_leaks=1:exitcode=23:abort_on_error=0"
export LSAN_OPTIONS="exitcode=23"
# A history of 256 events per channel fills within the warm-up at this rate (5 s), so RSS at the start sample
# already holds a full history: with the default 4096 the history itself would still be growing for 80 s and
# show up as drift in a short soak.
taskset -c 0 "$server_bin" serve --port "$port" --history 256 >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.1
done
kill -0 "$server_pid" 2>/dev/null || { echo "soak: the server did not start:" >&2; cat "$work/server.err" >&2; exit 1; }

echo "soak: ${minutes} min, server pid $server_pid ($server_bin) on core 0, loads on core 1:" \
  "${transports[*]} x $clients subscribers at $rate events/s each; logs in $work"
for t in "${transports[@]}"; do
  # Each transport publishes on its own channel, so every load counts its own events exactly.
  taskset -c 1 "$load_bin" load --url "http://127.0.0.1:$port" --transport "$t" --clients "$clients" \
    --rate "$rate" --channel "soak-$t" --warmup-s "$warmup_s" --duration-s "$duration_s" --max-lost 0 \
    --max-errors 0 --quiet --json "$work/load-$t.json" >"$work/load-$t.out" 2>"$work/load-$t.err" &
  load_pids+=($!)
done

# Start: after the connect phase and the warm-up (every connection open, buffers and history at steady
# state). End: a few seconds before the measure phase ends, while the same load still runs.
# Processes that die early (a bad option, a crash) fail the soak at once instead of after MINUTES.
all_alive() {
  kill -0 "$server_pid" 2>/dev/null || return 1
  for pid in "${load_pids[@]}"; do kill -0 "$pid" 2>/dev/null || return 1; done
}
watch_for() {
  local s
  for ((s = 0; s < $1; s++)); do all_alive || return 1; sleep 1; done
}
rss_start=0
rss_end=0
if watch_for $((warmup_s + 5)); then
  rss_start=$(rss_kib "$server_pid")
  if watch_for $((duration_s - 10)); then rss_end=$(rss_kib "$server_pid"); fi
fi

status=0
lost_or_errors=0
for i in "${!transports[@]}"; do
  if ! wait "${load_pids[$i]}"; then
    echo "soak: load ${transports[$i]} failed (lost events, connection errors or a crash):" >&2
    tail -n 5 "$work/load-${transports[$i]}.err" "$work/load-${transports[$i]}.out" >&2 || true
    lost_or_errors=1
    status=1
  fi
done
load_pids=()

kill -INT "$server_pid" 2>/dev/null || true
server_rc=0
wait "$server_pid" || server_rc=$?
server_pid=""
leaks=0
if grep -q "LeakSanitizer" "$work/server.err" || [[ $server_rc -eq 23 ]]; then leaks=1; fi
if [[ $leaks -eq 1 ]]; then
  echo "soak: LeakSanitizer report:" >&2
  sed -n '/LeakSanitizer/,$p' "$work/server.err" | head -n 40 >&2
  status=1
elif [[ $server_rc -ne 0 ]]; then
  echo "soak: the server exited with $server_rc:" >&2
  tail -n 20 "$work/server.err" >&2
  status=1
fi

drift=$(awk -v a="$rss_start" -v b="$rss_end" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", (b - a) * 100 / a; else print "nan" }')
drift_bad=$(awk -v d="$drift" 'BEGIN { print (d == "nan" || d > 1.0) ? 1 : 0 }')
if [[ $lsan -eq 1 && "$drift" != "nan" ]]; then
  # Under ASan, freed memory waits in the quarantine (up to 256 MiB) and RSS grows until it is full: the
  # drift says nothing about the server, so it is shown but only the normal build's run is judged by it.
  drift_bad=0
  drift_note="  (ASan quarantine: not judged; run without --lsan for the drift)"
fi
[[ $drift_bad -eq 1 ]] && status=1

echo "soak summary"
echo "  server         $( [[ $lsan -eq 1 ]] && echo "ASan/LSan build" || echo "normal build" ), exit $server_rc"
echo "  RSS start      ${rss_start} KiB (after warm-up)"
echo "  RSS end        ${rss_end} KiB"
echo "  RSS drift      ${drift}% (limit 1%)$( [[ $drift_bad -eq 1 ]] && echo "  FAIL" )${drift_note:-}"
if [[ $lsan -eq 1 ]]; then
  echo "  leaks          $( [[ $leaks -eq 1 ]] && echo "REPORTED  FAIL" || echo "none reported by LeakSanitizer" )"
fi
for t in "${transports[@]}"; do
  summary=$(grep -m1 'Delivery:' "$work/load-$t.out" | sed 's/^ *//' || true)
  echo "  load $t: ${summary:-no output}"
done
echo "  lost/errors    $( [[ $lost_or_errors -eq 1 ]] && echo "YES  FAIL" || echo "none" )"
echo "  result         $( [[ $status -eq 0 ]] && echo PASS || echo FAIL )"
exit "$status"
