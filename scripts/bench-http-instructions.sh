#!/usr/bin/env bash
# Instructions and allocations per HTTP request, a stable measure of the HTTP path's user-space cost (CPU time
# at a few microseconds a request is coarse and noisy): one fixed stream of REQUESTS pipelined empty polls (`GET /poll?channel=cg&since=0`, answered
# 204) over one connection, counted by callgrind in rtbench serve and, with the same bytes, in nginx
# (`return 204;`, scripts/peers/nginx-204.conf). Only the stream is counted (callgrind's instrumentation is
# switched on after start-up and a warm-up of 100 requests, off after the last answer). User-space only: the
# kernel's work is not in it. Not a timed test: the counts are the same on a busy machine.
# Prints both, the ratio, and rtbench against BUDGET instructions per request.
# Exit status: 0 within the budget, 1 above it, 2 setup error (valgrind or nginx missing, a server that did
# not answer every request).
# Usage: scripts/bench-http-instructions.sh [REQUESTS] [BUDGET]   (defaults 10000 and the budget below;
#        RTB_BUILD_DIR=<dir> measures that build's rtbench; RTB_NO_NGINX=1 leaves nginx out)
source "$(dirname "$0")/lib/script-help.sh"
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-10000}
# Instructions per request of the stream above, as measured on the commit that set it, plus a margin for
# compiler and library drift; lower it when the path gets cheaper, so a regression shows.
budget=${2:-3300}
command -v valgrind >/dev/null || { echo "bench-http-instructions: valgrind is missing (RTB_BENCH_DEPS=1 scripts/install-deps.sh)" >&2; exit 2; }
with_nginx=1
[ "${RTB_NO_NGINX:-0}" = 1 ] && with_nginx=0
if [ $with_nginx = 1 ] && ! command -v nginx >/dev/null; then
  echo "bench-http-instructions: nginx is missing (scripts/install-deps.sh), or set RTB_NO_NGINX=1" >&2
  exit 2
fi
# shellcheck source=scripts/lib/bench-common.sh
source scripts/lib/bench-common.sh
build_rtbench || { echo "bench-http-instructions: rtbench did not build" >&2; exit 2; }
py=/usr/bin/python3

work=$(mktemp -d /tmp/rtb-instr.XXXXXX)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

free_port() { $py -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# $1 name, $2 port, $3 URL that answers once the server is up, rest: the server's command. Prints
# "<instructions> <mallocs>" for the stream.
count() {
  local name=$1 port=$2 url=$3
  shift 3
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$work/$name.%p" "$@" >"$work/$name.log" 2>&1 &
  pid=$!
  for _ in $(seq 300); do curl -s -o /dev/null "$url" && break; sleep 0.1; done
  local ask=(127.0.0.1 "$port" "$requests" "/poll?channel=cg&since=0")
  if ! $py scripts/lib/pipelined_requests.py 127.0.0.1 "$port" 100 "${ask[3]}" >/dev/null; then
    echo "bench-http-instructions: $name did not answer the warm-up (log: $work/$name.log)" >&2
    exit 2
  fi
  callgrind_control -i on "$pid" >/dev/null 2>&1
  local answers
  answers=$($py scripts/lib/pipelined_requests.py "${ask[@]}") || {
    echo "bench-http-instructions: $name answered $answers of $requests requests" >&2
    exit 2
  }
  callgrind_control -i off "$pid" >/dev/null 2>&1
  callgrind_control -d "$pid" >/dev/null 2>&1
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  pid=
  # The dump (".1") holds the stream; the file written at exit holds nothing (instrumentation was off).
  $py scripts/lib/callgrind_totals.py "$(ls "$work/$name".*.1)"
}

port=$(free_port)
read -r rtb_ir rtb_malloc < <(count rtbench "$port" "http://127.0.0.1:$port/stats" "$bin" serve --port "$port")
echo "rtbench: $rtb_ir instructions, $rtb_malloc mallocs for $requests requests"
if [ $with_nginx = 1 ]; then
  port=$(free_port)
  mkdir -p "$work/nginx"
  sed -e "s|127.0.0.1:18090|127.0.0.1:$port|" -e "s|/tmp/rtb-nginx|$work/nginx|g" scripts/peers/nginx-204.conf >"$work/nginx.conf"
  read -r ngx_ir ngx_malloc < <(count nginx "$port" "http://127.0.0.1:$port/" nginx -c "$work/nginx.conf")
  echo "nginx: $ngx_ir instructions, $ngx_malloc mallocs for $requests requests"
fi
awk -v r="$rtb_ir" -v m="$rtb_malloc" -v n="$requests" -v b="$budget" \
  'BEGIN { printf "HEADLINE rtbench instructions per request: %.0f (budget %d), allocations per request: %.2f\n", r / n, b, m / n }'
if [ $with_nginx = 1 ]; then
  awk -v r="$rtb_ir" -v x="$ngx_ir" -v m="$rtb_malloc" -v y="$ngx_malloc" -v n="$requests" \
    'BEGIN { printf "HEADLINE nginx instructions per request: %.0f, allocations per request: %.2f; rtbench/nginx = %.3f (target <= 0.333)\n", x / n, y / n, r / x }'
fi
if awk -v r="$rtb_ir" -v n="$requests" -v b="$budget" 'BEGIN { exit !(r / n > b) }'; then
  echo "above the budget of $budget instructions per request" >&2
  exit 1
fi
