#!/usr/bin/env bash
# rtbench-floor-push serves what rtbench's own load generator expects, so the peer scripts can drive it like
# rtbench: every published event reaches every WebSocket and SSE subscriber once, in order (lost, duplicated
# and reordered all 0, delivered = subscribers x events in the window), and the /echo WebSocket answers every
# message, small ones and ones with a 16-bit length; an unknown path gets 404; bad arguments exit 2.
set -euo pipefail
floor=$1
rtbench=$2
fail() { echo "FAIL: $*" >&2; exit 1; }

"$floor" --help | grep -q "Usage: rtbench-floor-push" || fail "--help"
set +e
"$floor" --port 70000 2>/dev/null; [ $? -eq 2 ] || fail "--port 70000 is not exit 2"
"$floor" --bogus 2>/dev/null; [ $? -eq 2 ] || fail "an unknown argument is not exit 2"
set -e

work=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$floor" --port "$port" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/nothing")
[ "$code" = 404 ] || fail "GET /nothing answered $code, not 404"

column() { awk -F, -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i } END { print $k }' "$1"; }

for transport in ws sse; do
  "$rtbench" load --url "http://127.0.0.1:$port" --transport "$transport" -c 20 --rate 50 --warmup-s 0.5 -d 1 \
    --drain-s 2 --publish-via http -q --csv "$work/$transport.csv" >"$work/$transport.out" 2>&1 ||
    { cat "$work/$transport.out" >&2; fail "$transport: rtbench load failed"; }
  for c in lost duplicated reordered; do
    [ "$(column "$work/$transport.csv" "$c")" = 0 ] || fail "$transport: $c is not 0"
  done
  delivered=$(column "$work/$transport.csv" delivered)
  expected=$(column "$work/$transport.csv" expected)
  [ "$delivered" = "$expected" ] && [ "$delivered" -gt 0 ] ||
    fail "$transport: delivered $delivered of $expected"
done

for bytes in 32 300; do  # 300: a frame with a 16-bit length
  "$rtbench" load --transport echo --url "http://127.0.0.1:$port/echo" -c 4 --payload-bytes "$bytes" -d 1 \
    --warmup-s 0 --drain-s 1 -q --csv "$work/echo.csv" >"$work/echo.out" 2>&1 ||
    { cat "$work/echo.out" >&2; fail "echo $bytes B: rtbench load failed"; }
  [ "$(column "$work/echo.csv" lost)" = 0 ] || fail "echo $bytes B: lost is not 0"
  [ "$(column "$work/echo.csv" delivered)" -gt 0 ] || fail "echo $bytes B: no round trip"
done
kill -INT "$pid"
wait "$pid" || fail "SIGINT did not end it with exit 0"
