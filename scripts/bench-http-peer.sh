#!/usr/bin/env bash
# Server CPU per request: `rtbench serve` (empty /poll -> 204) vs nginx (`return 204;`), both driven by
# `wrk -t1 -c50` in the same run. Server pinned to core 0, wrk to core 1; rounds alternate; medians reported.
# Usage: scripts/bench-http-peer.sh [SECONDS] [ROUNDS]
source "$(dirname "$0")/lib/script-help.sh"
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
rounds=${2:-3}
# shellcheck source=scripts/lib/bench-common.sh
source scripts/lib/bench-common.sh
RTB_BENCH_DEPS=1 scripts/install-deps.sh >/dev/null
build_rtbench

run_one() {  # name pid url -> "name rps=R p_avg=L cpu_us_per_req=C user_us=U sys_us=S"
  local name=$1 pid=$2 url=$3 before after out reqs
  before=$(cpu_split "$pid")
  out=$(taskset -c 1 wrk -t1 -c50 -d"${secs}s" "$url")
  after=$(cpu_split "$pid")
  reqs=$(echo "$out" | awk '/requests in/ {print $1}')
  echo "$out" | awk -v n="$name" '/Requests\/sec/ {rps=$2} /Latency/ {lat=$2} END {printf "%s rps=%s p_avg=%s ", n, rps, lat}'
  echo "$before $after" | awk -v r="$reqs" -v t="$tick" '{ u = ($3 - $1) / t * 1e6 / r; s = ($4 - $2) / t * 1e6 / r
    printf "cpu_us_per_req=%.2f user_us=%.2f sys_us=%.2f\n", u + s, u, s }'
}

mkdir -p /tmp/rtb-nginx
taskset -c 0 "$bin" serve --port 18091 >/tmp/rtb-serve-bench.log 2>&1 &
rtb=$!
taskset -c 0 nginx -c "$PWD/scripts/peers/nginx-204.conf" &
ngx=$!
trap 'kill -INT $rtb 2>/dev/null; kill $ngx 2>/dev/null; wait 2>/dev/null || true' EXIT
wait_http http://127.0.0.1:18091/stats
id=$(curl -fs -X POST --data x "http://127.0.0.1:18091/publish")
rtb_url="http://127.0.0.1:18091/poll?since=$id"
ngx_url="http://127.0.0.1:18090/poll?since=$id"
curl -fs -o /dev/null -w '%{http_code} rtbench\n' "$rtb_url"
curl -fs -o /dev/null -w '%{http_code} nginx\n' "$ngx_url"
# Warm-up, not counted.
taskset -c 1 wrk -t1 -c50 -d2s "$rtb_url" >/dev/null
taskset -c 1 wrk -t1 -c50 -d2s "$ngx_url" >/dev/null
results=$(for r in $(seq "$rounds"); do run_one rtbench $rtb "$rtb_url"; run_one nginx $ngx "$ngx_url"; done)
echo "$results"
col() { echo "$results" | awk -v n="$1" -v f="$2" '$1 == n { split($f, kv, "="); print kv[2] }'; }
r=$(col rtbench 4 | median)
n=$(col nginx 4 | median)
awk -v r="$r" -v n="$n" 'BEGIN { printf "median server CPU per request: rtbench %.2f us, nginx %.2f us, ratio rtbench/nginx = %.3f\n", r, n, r / n }'
echo "median requests/s: rtbench $(col rtbench 2 | median), nginx $(col nginx 2 | median)"
echo "median user/kernel us per request: rtbench $(col rtbench 5 | median)/$(col rtbench 6 | median), nginx $(col nginx 5 | median)/$(col nginx 6 | median)"
