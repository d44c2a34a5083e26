#!/usr/bin/env bash
# rtbench demo: prints the page URL, publishes stamped events at --rate on --channel, serves the page, and
# stops with exit code 0 on SIGINT; a bad channel is exit code 2. Usage: demo_test.sh RTBENCH
set -euo pipefail
rtbench=$1
out=$(mktemp -d)
trap 'kill -KILL "$pid" 2>/dev/null || true; rm -rf "$out"' EXIT
"$rtbench" demo --port 0 --rate 50 --payload 100 --channel talk >"$out/stdout" 2>"$out/stderr" &
pid=$!
for _ in $(seq 50); do grep -q '^open: ' "$out/stdout" && break; sleep 0.1; done
url=$(sed -n 's/^open: //p' "$out/stdout")
[[ "$url" =~ ^http://127\.0\.0\.1:[0-9]+/\?channel=talk\&rate=0\&payload=100\&interval=1000$ ]] || { echo "bad URL: $url"; exit 1; }
base=${url%%/\?*}
sleep 0.5
page=$(curl -sf --max-time 5 "$base/")
grep -q '<script src="/demo.js">' <<<"$page" || { echo "GET / is not the demo page"; exit 1; }
batch=$(curl -sf --max-time 5 "$base/poll?channel=talk&since=0")
grep -q '^id: 1$' <<<"$batch" || { echo "no event 1: $batch"; exit 1; }
grep -Eq '^data: \{"seq":1,"t":[0-9]+\.[0-9]{3},"pad":"x+"\}$' <<<"$batch" || { echo "event 1 is not stamped: $batch"; exit 1; }
len=$(grep -m1 '^data: ' <<<"$batch" | cut -c7- | tr -d '\n' | wc -c)
[ "$len" -eq 100 ] || { echo "payload $len bytes, expected 100"; exit 1; }
kill -INT "$pid"
rc=0
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
wait "$pid" || rc=$?
[ "$rc" -eq 0 ] || { echo "exit code $rc after SIGINT"; cat "$out/stderr"; exit 1; }
grep -q 'stopped (' "$out/stderr" || { echo "no stop line"; exit 1; }
rc=0
"$rtbench" demo --port 0 --channel 'no spaces' >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 2 ] || { echo "bad channel: exit code $rc, expected 2"; exit 1; }
echo "demo: passed"
