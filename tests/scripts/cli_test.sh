#!/usr/bin/env bash
# rtbench's command line: usage errors exit 2 (not CLI11's 105-114) with a message naming the fix, --help 0,
# --version prints the CMake project version, output paths are refused before measuring, --summary json prints
# one JSON line, --hdr-log and a suite's spectra/*.hlog decode (tests/scripts/hlog_check.py) to the histograms of
# the JSON results, serve --host takes a name, and a port in use exits 2. Usage: cli_test.sh RTBENCH PROJECT_VERSION
set -uo pipefail
bin=$1
version=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
expect() {  # expect WANT_STATUS MUST_CONTAIN ARGS...
  local want=$1 text=$2
  shift 2
  local out status
  out=$("$bin" "$@" 2>&1)
  status=$?
  if [ "$status" -ne "$want" ] || [[ $out != *"$text"* ]]; then
    echo "FAIL rtbench $*: exit $status (wanted $want), output: ${out:0:300}"
    failed=1
  fi
}
expect 0 "Usage" --help
expect 0 "rtbench $version" --version
expect 0 "Exit status" load --help
expect 2 "--bogus" load --bogus
expect 2 "1-1,000,000" load -c -3
expect 2 "above 0" load --duration 0
expect 2 "A-Z a-z 0-9" load --channel 'a~b'
expect 2 "/proc" load --json /proc/x.json --url http://127.0.0.1:1
expect 2 "does not exist" load --csv /tmp/no-such-folder-rtb/x.csv --url http://127.0.0.1:1
expect 2 "--hdr-log" load --hdr-log /proc/x.hlog --url http://127.0.0.1:1
expect 2 "--host no-such-host.invalid" serve --host no-such-host.invalid --port 0
expect 2 "--suite is required" run
expect 2 "--report-only needs --out" run --report-only
expect 2 "more generator processes than --clients 3" load --procs 5 --clients 3
expect 2 "--procs-exec applies with --procs 2" load --procs-exec "ip netns exec g{i}"
# The descriptor arithmetic against a hard limit this test sets (5,000 clients / (1,000 - 32) -> 6).
out=$( (ulimit -Sn 1000 && ulimit -Hn 1000 && "$bin" load --procs 2 --clients 5000 --url http://127.0.0.1:1) 2>&1)
status=$?
[[ $status -eq 2 && $out == *"--procs 6 or more"* ]] || { echo "FAIL --procs descriptors: $status ${out:0:300}"; failed=1; }
expect 2 "needs --json" load --proc-index 0
expect 2 "results" merge "$tmp/only-one.json"
expect 2 "cannot read it" merge "$tmp/missing-a.json" "$tmp/missing-b.json"

# start_server ARGS...: `rtbench serve --port 0 ARGS` in the background; sets $server (its PID) and $url (the
# address it printed). A port the kernel picks cannot collide with other tests' ports or ephemeral ports.
start_server() {
  "$bin" serve --port 0 "$@" >"$tmp/serve.out" 2>&1 &
  server=$!
  url=
  for _ in $(seq 50); do
    url=$(sed -n 's/^rtbench serve: listening on \(http:[^ ]*\)$/\1/p' "$tmp/serve.out")
    [ -n "$url" ] && return 0
    sleep 0.1
  done
  echo "FAIL serve $*: no address printed in 5 s: $(cat "$tmp/serve.out")"
  failed=1
}

start_server
line=$("$bin" load --url "$url" --transport ws -c 5 -r 20 -d 500ms --warmup-s 0 --drain-s 1s \
  --summary json -q --json "$tmp/load.json" --hdr-log "$tmp/load.hlog" 2>/dev/null)
status=$?
kill "$server"
wait "$server" 2>/dev/null
/usr/bin/python3 "$here/hlog_check.py" "$tmp/load.hlog" "$tmp/load.json" >/dev/null || { echo "FAIL --hdr-log"; failed=1; }
if [ "$status" -ne 0 ] || ! /usr/bin/python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["transport"] == "ws" and d["lost"] == 0 and d["tcp_segments_scope"] == "own_sockets", d
assert isinstance(d["warnings"], list) and isinstance(d["suspects"], list)
' "$line"; then
  echo "FAIL --summary json: exit $status, line: ${line:0:300}"
  failed=1
fi
[ "$(printf '%s\n' "$line" | wc -l)" -eq 1 ] || { echo "FAIL --summary json is not one line"; failed=1; }

# --procs: three generator processes, one publisher, one merged result; rtbench merge: separate runs add up,
# runs of different transports are refused.
start_server
"$bin" load --url "$url" --transport sse -c 9 --procs 3 -r 20 -d 1s --warmup-s 0.2 -q --json "$tmp/procs.json" \
  >/dev/null 2>"$tmp/procs.err" || { echo "FAIL load --procs 3: $(cat "$tmp/procs.err")"; failed=1; }
for channel in a b; do
  "$bin" load --url "$url" --transport sse -c 4 -r 20 -d 500ms --warmup-s 0 --channel "$channel" -q \
    --json "$tmp/merge-$channel.json" >/dev/null 2>&1 || { echo "FAIL load for merge"; failed=1; }
done
"$bin" load --url "$url" --transport ws -c 4 -r 20 -d 500ms --warmup-s 0 -q --json "$tmp/merge-ws.json" \
  >/dev/null 2>&1 || { echo "FAIL load for merge (ws)"; failed=1; }
kill "$server"
wait "$server" 2>/dev/null
/usr/bin/python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["result"]
assert r["clients"] == 9 and r["connected"] == 9 and r["lost"] == 0, r
assert r["expected"] == r["delivered"] > 0 and r["expected"] % 9 == 0, r
' "$tmp/procs.json" || { echo "FAIL load --procs 3: the merged result"; failed=1; }
expect 0 "Merged 2 results" merge "$tmp/merge-a.json" "$tmp/merge-b.json" --json "$tmp/merged.json"
/usr/bin/python3 -c '
import json, sys
parts = [json.load(open(p))["result"] for p in sys.argv[2:]]
d = json.load(open(sys.argv[1]))
m = d["result"]
assert d["tool"] == "rtbench merge" and len(d["merged_from"]) == 2, d["tool"]
for k in ("clients", "delivered", "expected", "lost", "bytes_down"):
    assert m[k] == sum(p[k] for p in parts), k
assert m["max_us"] == max(p["max_us"] for p in parts), m["max_us"]
' "$tmp/merged.json" "$tmp/merge-a.json" "$tmp/merge-b.json" || { echo "FAIL merge: the merged result"; failed=1; }
expect 2 "transport differs" merge "$tmp/merge-a.json" "$tmp/merge-ws.json"

# rtbench run --url: a suite against a server the runner did not start; server figures are not measured.
start_server
out=$(mktemp -d)
"$bin" run --suite tiny --url "$url" --transports ws -n 1 --no-plots --out "$out/r" >/dev/null 2>&1
status=$?
kill "$server"
wait "$server" 2>/dev/null
if [ "$status" -ne 0 ] || ! /usr/bin/python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 1 and rows[0]["transport"] == "ws" and rows[0]["server_cpu_s"] == "", rows
' "$out/r/results.csv"; then
  echo "FAIL run --url: exit $status"
  failed=1
fi
# Each run's .hlog beside its .hgrm, and per point the repetitions as the intervals of one merged log.
for hlog in "$out"/r/spectra/*.hlog "$out"/r/spectra/merged/*.hlog; do
  [ -e "$hlog" ] || { echo "FAIL run: no $hlog"; failed=1; continue; }
  [ -e "${hlog%.hlog}.hgrm" ] || { echo "FAIL run: $hlog has no .hgrm beside it"; failed=1; }
  case $hlog in
    */merged/*) points=("$out"/r/points/*-"$(basename "${hlog%.hlog}")"-r*.json) ;;
    *) points=("$out/r/points/$(basename "${hlog%.hlog}").json") ;;
  esac
  /usr/bin/python3 "$here/hlog_check.py" "$hlog" "${points[@]}" >/dev/null || { echo "FAIL run: $hlog"; failed=1; }
done
rm -rf "$out"

# serve --host takes a name (resolved once): localhost serves.
start_server --host localhost
if [ -z "$url" ] || ! /usr/bin/python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "/stats", timeout=5)' \
  "$url"; then
  echo "FAIL serve --host localhost: $(cat "$tmp/serve.out")"
  failed=1
fi
# A port already in use is a setup error: exit 2 and a message naming the fix.
expect 2 "choose another --port" serve --host 127.0.0.1 --port "${url##*:}"
kill "$server"
wait "$server" 2>/dev/null
exit $failed
