#!/usr/bin/env bash
# Server memory per idle connection: the server's RSS growth over N connections / N (the CSV's
# server_bytes_per_idle_conn), for an idle keep-alive connection (a short-poll client that has not polled
# yet), a parked long poll, an SSE stream and a WebSocket subscriber, each on a fresh server pinned to core 0
# with the generator on core 1. Prints the median of REPEAT runs per kind
# against the target (512 B). Exit status: 0 every kind within the target, 1 one above it, 2 setup error.
# Usage: scripts/bench-conn-memory.sh [CLIENTS] [REPEAT] [TARGET_BYTES]   (defaults 10000, 3, 512;
#        RTB_BUILD_DIR=<dir> measures that build's rtbench)
source "$(dirname "$0")/lib/script-help.sh"
set -euo pipefail
cd "$(dirname "$0")/.."
clients=${1:-10000}
repeat=${2:-3}
target=${3:-512}
# shellcheck source=scripts/lib/bench-common.sh
source scripts/lib/bench-common.sh
build_rtbench || { echo "bench-conn-memory: rtbench did not build" >&2; exit 2; }

work=$(mktemp -d /tmp/rtb-connmem.XXXXXX)
trap 'rm -rf "$work"' EXIT

# $1: kind; prints bytes per connection
measure() {
  local args
  case $1 in
    idle) args=(--transport poll --poll-interval-ms 3600000) ;;  # no poll during the run
    longpoll) args=(--transport longpoll --longpoll-timeout-ms 60000) ;;
    sse) args=(--transport sse) ;;
    ws) args=(--transport ws) ;;
  esac
  bytes_per_idle_conn "$bin" "$bin" 18114 "$clients" "$work" "${args[@]}" || exit 2
}

echo "server bytes per idle connection at $clients connections, median of $repeat (target <= $target B)"
status=0
for kind in idle longpoll sse ws; do
  runs=()
  for _ in $(seq "$repeat"); do runs+=("$(measure "$kind")"); done
  med=$(printf '%s\n' "${runs[@]}" | median)
  verdict=met
  awk -v m="$med" -v t="$target" 'BEGIN { exit !(m > t) }' && { verdict="above"; status=1; }
  printf '%-9s %6.0f B  (runs: %s)  %s\n' "$kind" "$med" "$(printf '%.0f ' "${runs[@]}")" "$verdict"
done
exit $status
