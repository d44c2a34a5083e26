#!/usr/bin/env bash
# Server CPU per request under the arrivals real short polling makes: CLIENTS keep-alive connections, each
# sending one request a second (`rtbench load --transport http --request-rate CLIENTS`, an open loop spread
# evenly over the connections), against rtbench serve (empty /poll -> 204), nginx (`return 204;`) and the
# floor (rtbench-floor: one read and one write per request, nothing else), in the same run, alternating.
# Server pinned to core 0, generator to core 1. Each server's utime and stime are read from /proc/PID/stat
# over the middle SECONDS of each run (after connecting and a 3 s warm-up); the open loop fixes the requests
# in that span (CLIENTS x SECONDS). Prints per server: CPU per request (total, user, kernel), medians of
# ROUNDS, then rtbench's user CPU as a ratio to nginx's and every server's total as a ratio to the floor's.
# A floor far above its back-to-back cost (bench-http-peer.sh) is the price of waking up for each request,
# which no server's code removes.
# Usage: scripts/bench-http-arrivals.sh [CLIENTS] [SECONDS] [ROUNDS]   (defaults 1000, 10, 3;
#        RTB_BUILD_DIR=<dir> measures that build)
# Exit status: 0 measured, 2 setup error (nginx missing, a server that does not answer 204).
source "$(dirname "$0")/lib/script-help.sh"
set -euo pipefail
cd "$(dirname "$0")/.."
clients=${1:-1000}
secs=${2:-10}
rounds=${3:-3}
command -v nginx >/dev/null || { echo "bench-http-arrivals: nginx is missing (scripts/install-deps.sh)" >&2; exit 2; }
# shellcheck source=scripts/lib/bench-common.sh
source scripts/lib/bench-common.sh
build_rtbench || { echo "bench-http-arrivals: rtbench did not build" >&2; exit 2; }
build_floor || { echo "bench-http-arrivals: rtbench-floor did not build" >&2; exit 2; }

work=$(mktemp -d /tmp/rtb-arrivals.XXXXXX)
rtb= ngx= flo=
trap '[ -n "$rtb" ] && kill -INT $rtb 2>/dev/null; kill $ngx $flo 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/nginx"
# nginx counts more connections than the clients hold open (it closes idle keep-alive ones to "reuse" them
# when short, measured at 10,000 clients with 10,100), so it gets half as many again.
sed -e "s|/tmp/rtb-nginx|$work/nginx|g" -e "s|127.0.0.1:18090|127.0.0.1:18093|" scripts/peers/nginx-204.conf \
  | sed "s/worker_connections 4096;/worker_connections $((clients * 3 / 2 + 100));/" >"$work/nginx.conf"
taskset -c 0 "$bin" serve --port 18094 >"$work/serve.log" 2>&1 &
rtb=$!
taskset -c 0 nginx -c "$work/nginx.conf" &
ngx=$!
taskset -c 0 "$floor_bin" --port 18095 &
flo=$!
wait_http http://127.0.0.1:18094/stats || { echo "bench-http-arrivals: rtbench serve did not start" >&2; exit 2; }
wait_http http://127.0.0.1:18095/ || { echo "bench-http-arrivals: rtbench-floor did not start" >&2; exit 2; }
id=$(curl -fs -X POST --data x "http://127.0.0.1:18094/publish")
declare -A url=([rtbench]="http://127.0.0.1:18094/poll?since=$id" [nginx]="http://127.0.0.1:18093/poll?since=$id"
  [floor]="http://127.0.0.1:18095/poll?since=$id")
declare -A pid=([rtbench]=$rtb [nginx]=$ngx [floor]=$flo)
for name in rtbench nginx floor; do  # outputs checked before measuring
  code=$(curl -s -o /dev/null -w '%{http_code}' "${url[$name]}")
  [ "$code" = 204 ] || { echo "bench-http-arrivals: $name answered $code, not 204, at ${url[$name]}" >&2; exit 2; }
done

# $1 server: prints "<name> total_us user_us sys_us answered"
run_one() {
  local name=$1 p=${pid[$1]} before after connect_s
  connect_s=$(awk -v c="$clients" 'BEGIN { printf "%.1f", c / 5000 + 0.5 }')
  taskset -c 1 "$bin" load --transport http --url "${url[$name]}" -c "$clients" --request-rate "$clients" \
    --connect-rate 5000 --warmup-s 3 -d "$((secs + 2))" --drain-s 2 -q --csv "$work/$name.csv" \
    >"$work/$name.out" 2>&1 &
  local gen=$!
  sleep "$(awk -v c="$connect_s" 'BEGIN { print c + 3.5 }')"
  before=$(cpu_split "$p")
  sleep "$secs"
  after=$(cpu_split "$p")
  wait $gen || { cat "$work/$name.out" >&2; exit 2; }
  local answered lost
  answered=$(csv_column "$work/$name.csv" delivered)
  lost=$(csv_column "$work/$name.csv" lost)
  [ "$lost" = 0 ] || echo "bench-http-arrivals: $name left $lost requests unanswered" >&2
  echo "$before $after" | awk -v n="$name" -v r="$((clients * secs))" -v t="$tick" -v a="$answered" '{
    u = ($3 - $1) / t * 1e6 / r; s = ($4 - $2) / t * 1e6 / r
    printf "%s total_us=%.2f user_us=%.2f sys_us=%.2f answered_in_window=%s\n", n, u + s, u, s, a }'
}

echo "$clients connections, one request a second each ($clients requests/s), $secs s per round, $rounds rounds"
results=$(for _ in $(seq "$rounds"); do for name in rtbench nginx floor; do run_one "$name"; done; done)
echo "$results"
col() { echo "$results" | awk -v n="$1" -v f="$2" '$1 == n { split($f, kv, "="); print kv[2] }' | median; }
rt=$(col rtbench 2) ru=$(col rtbench 3) rs=$(col rtbench 4)
nt=$(col nginx 2) nu=$(col nginx 3) ns=$(col nginx 4)
ft=$(col floor 2) fu=$(col floor 3) fs=$(col floor 4)
echo "median CPU per request (total/user/kernel us): rtbench $rt/$ru/$rs, nginx $nt/$nu/$ns, floor $ft/$fu/$fs"
awk -v r="$ru" -v n="$nu" 'BEGIN { printf "HEADLINE user-space CPU per request: rtbench %.2f us, nginx %.2f us, rtbench/nginx = %.3f\n", r, n, r / n }'
awk -v r="$rt" -v n="$nt" -v f="$ft" 'BEGIN { printf "HEADLINE total CPU per request: rtbench %.2f us = %.2f x floor, nginx %.2f us = %.2f x floor, floor %.2f us\n", r, r / f, n, n / f, f }'
