#!/usr/bin/env bash
# Server CPU per request: `rtbench serve` (empty /poll -> 204) vs nginx (`return 204;`), both driven by
# `wrk -t1 -c50` in the same run. Server pinned to core 0, wrk to core 1; rounds alternate; medians reported.
# Usage: scripts/bench-http-peer.sh [SECONDS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
rounds=${2:-3}
RTB_BENCH_DEPS=1 scripts/install-deps.sh >/dev/null
cmake --preset default >/dev/null && cmake --build --preset default -j"$(nproc)" --target rtbench >/dev/null
bin=build/harness/rtbench
tick=$(getconf CLK_TCK)

cpu_ticks() { awk '{ sub(/.*\) /, ""); split($0, f, " "); print f[12] + f[13] }' "/proc/$1/stat"; }

run_one() {  # name pid url -> "name rps cpu_us_per_req"
  local name=$1 pid=$2 url=$3 before after out reqs
  before=$(cpu_ticks "$pid")
  out=$(taskset -c 1 wrk -t1 -c50 -d"${secs}s" "$url")
  after=$(cpu_ticks "$pid")
  reqs=$(echo "$out" | awk '/requests in/ {print $1}')
  echo "$out" | awk -v n="$name" '/Requests\/sec/ {rps=$2} /Latency/ {lat=$2} END {printf "%s rps=%s p_avg=%s ", n, rps, lat}'
  awk -v a="$after" -v b="$before" -v r="$reqs" -v t="$tick" 'BEGIN { printf "cpu_us_per_req=%.2f\n", (a-b)/t*1e6/r }'
}

mkdir -p /tmp/rtb-nginx
taskset -c 0 "$bin" serve --port 18091 >/tmp/rtb-serve-bench.log 2>&1 &
rtb=$!
taskset -c 0 nginx -c "$PWD/scripts/peers/nginx-204.conf" &
ngx=$!
trap 'kill -INT $rtb 2>/dev/null; kill $ngx 2>/dev/null; wait 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fs http://127.0.0.1:18091/stats >/dev/null && break; sleep 0.1; done
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
echo "$results" | awk '
  { split($4, c, "="); split($2, q, "="); cpu[$1] = cpu[$1] " " c[2]; rps[$1] = rps[$1] " " q[2] }
  function median(s,   a, n, i, j, t) { n = split(s, a, " "); for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  END { r = median(cpu["rtbench"]); n = median(cpu["nginx"]);
        printf "median server CPU per request: rtbench %.2f us, nginx %.2f us, ratio rtbench/nginx = %.3f\n", r, n, r / n;
        printf "median requests/s: rtbench %s, nginx %s\n", median(rps["rtbench"]), median(rps["nginx"]) }'
