#!/usr/bin/env bash
# Server CPU per request: `rtbench serve` (empty /poll -> 204) vs nginx (`return 204;`) vs the floor
# (rtbench-floor: one read and one write of a fixed 204 per request, nothing else), all driven by `wrk -t1 -c50`
# in the same run. Server pinned to core 0, wrk to core 1; rounds alternate; medians reported. The headline:
# rtbench's user-space CPU per request as a ratio to nginx's (what our code controls), then total CPU per
# request as a ratio to the floor (the kernel's TCP work included).
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
build_floor

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
taskset -c 0 "$floor_bin" --port 18092 &
flo=$!
trap 'kill -INT $rtb 2>/dev/null; kill $ngx $flo 2>/dev/null; wait 2>/dev/null || true' EXIT
wait_http http://127.0.0.1:18091/stats
wait_http http://127.0.0.1:18092/
id=$(curl -fs -X POST --data x "http://127.0.0.1:18091/publish")
rtb_url="http://127.0.0.1:18091/poll?since=$id"
ngx_url="http://127.0.0.1:18090/poll?since=$id"
flo_url="http://127.0.0.1:18092/poll?since=$id"
# Outputs checked before measuring: each answers 204.
while read -r name url; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "$url")
  echo "$code $name"
  [ "$code" = 204 ] || { echo "bench-http-peer: $name answered $code, not 204, at $url" >&2; exit 1; }
done <<EOF
rtbench $rtb_url
nginx $ngx_url
floor $flo_url
EOF
# Warm-up, not counted.
for url in "$rtb_url" "$ngx_url" "$flo_url"; do taskset -c 1 wrk -t1 -c50 -d2s "$url" >/dev/null; done
results=$(for r in $(seq "$rounds"); do
  run_one rtbench $rtb "$rtb_url"; run_one nginx $ngx "$ngx_url"; run_one floor $flo "$flo_url"
done)
echo "$results"
col() { echo "$results" | awk -v n="$1" -v f="$2" '$1 == n { split($f, kv, "="); print kv[2] }'; }
ru=$(col rtbench 5 | median) nu=$(col nginx 5 | median) fu=$(col floor 5 | median)
r=$(col rtbench 4 | median) n=$(col nginx 4 | median) f=$(col floor 4 | median)
awk -v r="$ru" -v n="$nu" 'BEGIN { printf "HEADLINE user-space CPU per request: rtbench %.2f us, nginx %.2f us, rtbench/nginx = %.3f\n", r, n, r / n }'
awk -v r="$r" -v n="$n" -v f="$f" 'BEGIN { printf "HEADLINE total CPU per request: rtbench %.2f us = %.2f x floor, nginx %.2f us = %.2f x floor, floor %.2f us\n", r, r / f, n, n / f, f }'
echo "median requests/s: rtbench $(col rtbench 2 | median), nginx $(col nginx 2 | median), floor $(col floor 2 | median)"
echo "median user/kernel us per request: rtbench $ru/$(col rtbench 6 | median), nginx $nu/$(col nginx 6 | median), floor $fu/$(col floor 6 | median)"
