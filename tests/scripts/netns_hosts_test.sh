#!/usr/bin/env bash
# scripts/netns-hosts.sh runs a server and two generators in network namespaces of their own: a tiny
# WebSocket load passes (exit 0, each generator's JSON with lost == 0 and delivered > 0), and afterwards
# neither a namespace nor a process of the run is left; the same with --procs (one rtbench load, a child per
# namespace) when this rtbench has it. A server argument it refuses is a setup error (exit 2) that leaves
# nothing behind either. Needs root and iproute2; otherwise it is skipped (exit 77).
# Usage: netns_hosts_test.sh BUILD_DIR
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
bin=$(readlink -f "$1/harness/rtbench")
[ "$(id -u)" -eq 0 ] || { echo "SKIP: network namespaces need root"; exit 77; }
command -v ip >/dev/null || { echo "SKIP: no 'ip' (iproute2)"; exit 77; }
# A container without CAP_SYS_ADMIN may refuse namespaces even to root.
probe=rtbprobe$$
ip netns add "$probe" 2>/dev/null || { echo "SKIP: this machine refuses network namespaces (ip netns add)"; exit 77; }
ip netns del "$probe"
[ -x "$bin" ] || { echo "FAIL: no rtbench binary at $1/harness/rtbench"; exit 1; }

failed=0
fail() { echo "FAIL $*"; failed=1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The run's namespace prefix, rtb<PID>, from the summary line the script prints.
run_prefix() { sed -n 's/.*summary of run \(rtb[0-9]*\).*/\1/p' <<<"$1"; }

# JSON file $1 (written by rtbench load) has lost == 0 and delivered > 0; $2 names the case.
check_result() {
  local verdict
  if [ ! -s "$1" ]; then
    fail "$2: no $1"
  elif ! verdict=$(/usr/bin/python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["result"]
print("lost=%s delivered=%s" % (r.get("lost"), r.get("delivered")))
sys.exit(0 if r.get("lost") == 0 and (r.get("delivered") or 0) > 0 else 1)' "$1"); then
    fail "$2: $verdict in $1 (wanted lost == 0, delivered > 0)"
  fi
}

# Nothing of run $1 is left ($2 names the case): no namespace named after it, and no process with this test's
# server port on its command line (the server has --port P, every generator --url http://10.213.0.1:P).
check_nothing_left() {
  local prefix=$1 name=$2 marker="--port $port( |\$)|10\.213\.0\.1:$port"
  if [ -z "$prefix" ]; then
    fail "$name: no 'summary of run rtb<PID>' line in the output"
  elif ip netns list | grep -Eq "^$prefix(s|g[0-9]+)( |$)"; then
    fail "$name: namespaces left: $(ip netns list | grep -E "^$prefix" | tr '\n' ' ')"
  fi
  if pgrep -f -- "$marker" >/dev/null; then fail "$name: processes left: $(pgrep -a -f -- "$marker")"; fi
}

# 1. Two generator hosts against a single-process server, on a port unusual enough to identify its processes.
port=18573
out=$(RTBENCH=$bin timeout 120 scripts/netns-hosts.sh run --generators 2 --port "$port" --timeout 60 \
  --out "$work/run" -- -- --transport ws --clients 200 --rate 20 --duration-s 2 --warmup-s 0.5 -q 2>&1)
status=$?
[ "$status" -eq 0 ] || fail "tiny run: exit $status, wanted 0; output: $out"
check_result "$work/run/gen0.json" "tiny run, generator 0"
check_result "$work/run/gen1.json" "tiny run, generator 1"
check_nothing_left "$(run_prefix "$out")" "tiny run"

# 2. The same load from one rtbench load whose two child processes run in the two generator namespaces.
out=$(RTBENCH=$bin timeout 120 scripts/netns-hosts.sh run --procs --generators 2 --port "$port" --timeout 60 \
  --out "$work/procs" -- -- --transport ws --clients 200 --rate 20 --duration-s 2 --warmup-s 0.5 -q 2>&1)
status=$?
[ "$status" -eq 0 ] || fail "--procs run: exit $status, wanted 0; output: $out"
check_result "$work/procs/load.json" "--procs run"
check_nothing_left "$(run_prefix "$out")" "--procs run"

# 3. A serve argument rtbench refuses: the server exits before listening, which is a setup error.
out=$(RTBENCH=$bin timeout 60 scripts/netns-hosts.sh run --generators 2 --port "$port" --out "$work/bad" \
  -- --port-typo 1 -- --transport ws --clients 10 --duration-s 1 2>&1)
status=$?
[ "$status" -eq 2 ] || fail "invalid serve argument: exit $status, wanted 2; output: $out"
[[ $out == *"before listening"* ]] || fail "invalid serve argument: no 'before listening' in: $out"
check_nothing_left "$(run_prefix "$out")" "invalid serve argument"

[ "$failed" -eq 0 ] && echo "PASS: scripts/netns-hosts.sh"
exit $failed
