#!/usr/bin/env bash
# Server CPU per TLS connection, full handshake vs resumed (session tickets): `rtbench serve` (an empty
# /poll -> 204) vs nginx terminating TLS (`return 204;`), the anchor, in the same run. Both use the same
# throwaway certificate (EC P-256, scripts/make-test-certs.sh), OpenSSL's default groups and TLS 1.3. The client
# is `openssl s_time` (one connection at a time, each a request and its answer; -new: every handshake full,
# -reuse: every one after the first resumed), pinned to core 1; the servers to core 0. Rounds alternate the
# servers; medians of the rounds are reported. rtbench's /stats counts how many handshakes resumed; nginx logs
# $ssl_session_reused per request, so both are checked, not assumed.
# Usage: scripts/bench-tls-handshake.sh [SECONDS] [ROUNDS] [--out DIR]
#   --out DIR: also write DIR/handshake.md (table, raw lines, command, machine) and DIR/handshake.csv.
# Exit: 0 measured, 1 a check failed (a server answered wrongly or resumed when it should not), 2 setup error.
source "$(dirname "$0")/lib/script-help.sh"
set -euo pipefail
cd "$(dirname "$0")/.."
secs=5
rounds=5
out=""
positional=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=${2:?--out needs a folder}; shift 2 ;;
    -*) echo "bench-tls-handshake: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) positional+=("$1"); shift ;;
  esac
done
[ ${#positional[@]} -ge 1 ] && secs=${positional[0]}
[ ${#positional[@]} -ge 2 ] && rounds=${positional[1]}
case "$secs$rounds" in *[!0-9]*) echo "bench-tls-handshake: SECONDS and ROUNDS are whole numbers" >&2; exit 2 ;; esac
# shellcheck source=scripts/lib/bench-common.sh
source scripts/lib/bench-common.sh
RTB_BENCH_DEPS=1 scripts/install-deps.sh >/dev/null || exit 2
for tool in nginx openssl taskset curl; do
  command -v "$tool" >/dev/null || { echo "bench-tls-handshake: $tool is missing (scripts/install-deps.sh)" >&2; exit 2; }
done
build_rtbench || exit 2

work=$(mktemp -d /tmp/rtb-tls-handshake.XXXXXX)
rtb="" ngx=""
cleanup() {
  [ -n "$rtb" ] && kill -INT "$rtb" 2>/dev/null
  [ -n "$ngx" ] && kill "$ngx" 2>/dev/null
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
scripts/make-test-certs.sh "$work" >/dev/null || exit 2

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rtb_port=$(free_port)
ngx_port=$(free_port)
mkdir -p "$work/nginx"
cat >"$work/nginx.conf" <<EOF
worker_processes 1;
master_process off;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
  log_format reused '\$ssl_session_reused';
  access_log $work/nginx/access.log reused buffer=64k flush=1s;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server {
    listen 127.0.0.1:$ngx_port ssl;
    ssl_certificate $work/server.pem;
    ssl_certificate_key $work/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_tickets on;
    location / { return 204; }
  }
}
EOF
taskset -c 0 "$bin" serve --host 127.0.0.1 --port "$rtb_port" --tls-cert "$work/server.pem" \
  --tls-key "$work/server.key" >"$work/serve.log" 2>&1 &
rtb=$!
taskset -c 0 nginx -c "$work/nginx.conf" -e "$work/nginx/error.log" >"$work/nginx.out" 2>&1 &
ngx=$!
rtb_url="https://127.0.0.1:$rtb_port"
ngx_url="https://127.0.0.1:$ngx_port"
for _ in $(seq 100); do
  curl -fs --cacert "$work/ca.pem" -o /dev/null "$rtb_url/stats" && curl -fs --cacert "$work/ca.pem" -o /dev/null \
    -w '' "$ngx_url/poll" && break
  sleep 0.05
done
# Outputs checked before measuring: both answer an empty poll with 204 over a verified TLS connection.
for url in "$rtb_url" "$ngx_url"; do
  code=$(curl -s --cacert "$work/ca.pem" -o /dev/null -w '%{http_code}' "$url/poll?since=0" || true)
  if [ "$code" != 204 ]; then
    echo "bench-tls-handshake: $url/poll answered '$code', not 204; logs: $(tail -3 "$work/serve.log" "$work/nginx/error.log")" >&2
    exit 1
  fi
done

stats_field() {  # resumed|handshakes from rtbench's /stats tls block
  curl -fs --cacert "$work/ca.pem" "$rtb_url/stats" | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['tls']['$1'])"
}
nginx_reused() { grep -c '^r$' "$work/nginx/access.log" 2>/dev/null || true; }
nginx_lines() { wc -l <"$work/nginx/access.log" 2>/dev/null || echo 0; }

# One s_time run: prints "server mode connections user_us_per_conn sys_us_per_conn resumed_share".
measure() {
  local name=$1 pid=$2 url=$3 mode=$4 before after text conns r0 h0 r1 h1
  if [ "$name" = rtbench ]; then r0=$(stats_field resumed); h0=$(stats_field handshakes); else
    sleep 1.2; r0=$(nginx_reused); h0=$(nginx_lines); fi  # the buffered log is flushed every second
  before=$(cpu_split "$pid")
  text=$(taskset -c 1 timeout $((secs + 30)) openssl s_time -connect "${url#https://}" "-$mode" -time "$secs" \
    -www '/poll?since=0' -CAfile "$work/ca.pem" 2>&1 | grep 'real seconds' || true)
  after=$(cpu_split "$pid")
  conns=$(echo "$text" | awk '{print $1}')
  if [ -z "$conns" ] || [ "$conns" -eq 0 ]; then
    echo "bench-tls-handshake: openssl s_time made no connection to $name ($mode)" >&2
    exit 1
  fi
  if [ "$name" = rtbench ]; then r1=$(stats_field resumed); h1=$(stats_field handshakes); else
    sleep 1.2; r1=$(nginx_reused); h1=$(nginx_lines); fi
  echo "$before $after" | awk -v n="$name" -v m="$mode" -v c="$conns" -v t="$tick" -v r=$((r1 - r0)) -v h=$((h1 - h0)) \
    '{ printf "%s %s %d %.1f %.1f %.3f\n", n, m, c, ($3 - $1) / t * 1e6 / c, ($4 - $2) / t * 1e6 / c, (h > 0 ? r / h : -1) }'
}

# Warm-up, not counted.
measure rtbench "$rtb" "$rtb_url" new >/dev/null
measure nginx "$ngx" "$ngx_url" new >/dev/null
lines=""
for r in $(seq "$rounds"); do
  for mode in new reuse; do
    if [ $((r % 2)) -eq 1 ]; then
      lines+="$(measure rtbench "$rtb" "$rtb_url" "$mode")"$'\n'"$(measure nginx "$ngx" "$ngx_url" "$mode")"$'\n'
    else
      lines+="$(measure nginx "$ngx" "$ngx_url" "$mode")"$'\n'"$(measure rtbench "$rtb" "$rtb_url" "$mode")"$'\n'
    fi
    printf '\rbench-tls-handshake: round %d/%d %s done' "$r" "$rounds" "$mode" >&2
  done
done
echo >&2
lines=${lines%$'\n'}
echo "server mode connections user_us_per_conn sys_us_per_conn resumed_share"
echo "$lines"

col() { echo "$lines" | awk -v n="$1" -v m="$2" -v f="$3" '$1 == n && $2 == m { print $f }'; }
status=0
table="| server | handshake | server user CPU us per connection | server kernel CPU us per connection | total | resumed (checked) |
|---|---|---:|---:|---:|---:|"
for name in rtbench nginx; do
  for mode in new reuse; do
    u=$(col $name $mode 4 | median)
    s=$(col $name $mode 5 | median)
    share=$(col $name $mode 6 | median)
    # -new must never resume; -reuse must resume nearly every connection (the first one is full).
    if [ "$mode" = new ] && awk -v x="$share" 'BEGIN { exit !(x > 0.001) }'; then
      echo "bench-tls-handshake: $name resumed ${share} of the -new connections" >&2; status=1; fi
    if [ "$mode" = reuse ] && awk -v x="$share" 'BEGIN { exit !(x < 0.9) }'; then
      echo "bench-tls-handshake: $name resumed only ${share} of the -reuse connections" >&2; status=1; fi
    label=$([ $mode = new ] && echo full || echo resumed)
    table+=$'\n'"$(awk -v n=$name -v l="$label" -v u="$u" -v s="$s" -v sh="$share" \
      'BEGIN { printf "| %s | %s | %.1f | %.1f | %.1f | %.0f%% |", n, l, u, s, u + s, sh * 100 }')"
  done
done
ratio() {  # rtbench / nginx of the total for a mode
  local rt ng
  rt=$(awk -v u="$(col rtbench "$1" 4 | median)" -v s="$(col rtbench "$1" 5 | median)" 'BEGIN { print u + s }')
  ng=$(awk -v u="$(col nginx "$1" 4 | median)" -v s="$(col nginx "$1" 5 | median)" 'BEGIN { print u + s }')
  awk -v a="$rt" -v b="$ng" 'BEGIN { printf "%.2f", a / b }'
}
echo
echo "$table"
echo
echo "median server CPU per connection, rtbench / nginx: full handshake $(ratio new)x, resumed $(ratio reuse)x"

if [ -n "$out" ]; then
  mkdir -p "$out"
  {
    echo "server,mode,connections,user_us_per_conn,sys_us_per_conn,resumed_share"
    echo "$lines" | tr ' ' ','
  } >"$out/handshake.csv"
  {
    echo "# TLS handshake cost: rtbench vs nginx terminating TLS"
    echo
    echo "Server CPU per TLS connection (a handshake, one request, its 204 answer, the close), measured with"
    echo "\`openssl s_time\` (one connection at a time: \`-new\` full handshakes, \`-reuse\` resumed by session"
    echo "ticket) against \`rtbench serve --tls-cert\` (\`GET /poll\`, empty: 204) and nginx (\`return 204;\`), the"
    echo "same certificate (EC P-256) for both, in the same run; median of $rounds rounds of $secs s per server"
    echo "and mode, rounds alternating which server goes first. The resumed share is checked on each server's"
    echo "side (rtbench /stats tls.resumed, nginx \$ssl_session_reused)."
    echo
    echo "$table"
    echo
    echo "rtbench / nginx, total server CPU per connection: full handshake **$(ratio new)x**, resumed **$(ratio reuse)x**."
    echo
    echo "## Raw lines"
    echo
    echo '```'
    echo "server mode connections user_us_per_conn sys_us_per_conn resumed_share"
    echo "$lines"
    echo '```'
    echo
    echo "## How this was made"
    echo
    echo "- Command: \`scripts/bench-tls-handshake.sh $secs $rounds --out $out\`"
    echo "- rtbench: $("$bin" --version 2>/dev/null | head -1) (git $(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown))"
    echo "- nginx: $(nginx -v 2>&1 | sed 's/^nginx version: //'); $(openssl version)"
    echo "- Machine: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores, $(uname -r)"
    echo "- Pinning: servers on CPU 0, openssl s_time on CPU 1"
    echo "- Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- Date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  } >"$out/handshake.md"
  echo "wrote $out/handshake.md and $out/handshake.csv"
fi
exit $status
