#!/usr/bin/env bash
# Load generator cost: `rtbench load --transport http -c 50` vs `wrk -t1 -c50`, both driving keep-alive
# requests at nginx (one worker, `return 204;`, scripts/peers/nginx-204.conf) in the same run. nginx pinned to
# core 0, the generator to core 1; rounds alternate, a warm-up round first (not counted); medians reported.
# Generator CPU is utime + stime from /proc/PID/stat over each generator's whole run.
# Usage: scripts/bench-loadgen-peer.sh [SECONDS] [ROUNDS]   (RTB_BUILD_DIR=<dir>: use that build folder)
source "$(dirname "$0")/lib/script-help.sh"
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
rounds=${2:-3}
# shellcheck source=scripts/lib/bench-common.sh
source scripts/lib/bench-common.sh
RTB_BENCH_DEPS=1 scripts/install-deps.sh >/dev/null
build_rtbench

work=$(mktemp -d)
mkdir -p /tmp/rtb-nginx
taskset -c 0 nginx -c "$PWD/scripts/peers/nginx-204.conf" &
ngx=$!
trap 'kill $ngx 2>/dev/null; wait $ngx 2>/dev/null; rm -rf "$work"' EXIT
url="http://127.0.0.1:18090/poll?since=0"
wait_http "$url"
curl -s -o /dev/null -w '%{http_code} from nginx\n' "$url"

# -> "name rps=R cpu_s=C requests=N cpu_us_per_req=U"
run_wrk() {
  local cpu status reqs rps
  read -r cpu status < <(run_sampling_cpu "$work/wrk.out" taskset -c 1 wrk -t1 -c50 -d"${secs}s" "$url")
  [ "$status" = 0 ] || { cat "$work/wrk.out" >&2; exit 1; }
  reqs=$(awk '/requests in/ { print $1 }' "$work/wrk.out")
  rps=$(awk '/Requests\/sec/ { print $2 }' "$work/wrk.out")
  awk -v r="$rps" -v c="$cpu" -v n="$reqs" -v t="$tick" \
    'BEGIN { printf "wrk rps=%.0f cpu_s=%.2f requests=%d cpu_us_per_req=%.3f\n", r, c / t, n, c / t * 1e6 / n }'
}

run_rtbench() {
  local cpu status reqs rps
  rm -f "$work/rtb.csv"
  # No warm-up: every request of the process's life is in the window, like wrk's whole-run count.
  read -r cpu status < <(run_sampling_cpu "$work/rtb.out" taskset -c 1 "$bin" load --transport http --url "$url" \
    -c 50 -d "$secs" --warmup-s 0 --drain-s 1 -q --csv "$work/rtb.csv")
  [ "$status" = 0 ] || { cat "$work/rtb.out" >&2; exit 1; }
  reqs=$(csv_column "$work/rtb.csv" requests)
  rps=$(csv_column "$work/rtb.csv" events_per_s)
  awk -v r="$rps" -v c="$cpu" -v n="$reqs" -v t="$tick" \
    'BEGIN { printf "rtbench rps=%.0f cpu_s=%.2f requests=%d cpu_us_per_req=%.3f\n", r, c / t, n, c / t * 1e6 / n }'
}

echo "warm-up round (not counted):"
run_wrk
run_rtbench
results=$(for _ in $(seq "$rounds"); do run_wrk; run_rtbench; done)
echo "$results"
col() { echo "$results" | awk -v n="$1" -v f="$2" '$1 == n { split($f, kv, "="); print kv[2] }'; }
wrk_rps=$(col wrk 2 | median)
rtb_rps=$(col rtbench 2 | median)
wrk_cpu=$(col wrk 5 | median)
rtb_cpu=$(col rtbench 5 | median)
echo "median requests/s: rtbench $rtb_rps, wrk $wrk_rps"
echo "median generator CPU per request: rtbench $rtb_cpu us, wrk $wrk_cpu us"
awk -v a="$rtb_rps" -v b="$wrk_rps" -v c="$rtb_cpu" -v d="$wrk_cpu" 'BEGIN {
  printf "rtbench/wrk: requests/s %.3f (target >= 1), CPU per request %.3f (target <= 1)\n", a / b, c / d }'
