#!/usr/bin/env bash
# What a parked long poll costs the server: user-space bytes per connection, as the RSS delta over
# N connections / N, for N idle keep-alive connections (short-poll clients that have not polled yet) and for N
# parked long polls; their difference is what parking a request adds. A fresh server for each.
# Usage: scripts/bench-longpoll-parking.sh [CLIENTS] [HEADERS]   (defaults 10000, minimal; RTB_BUILD_DIR=<dir>)
source "$(dirname "$0")/lib/script-help.sh"
set -euo pipefail
cd "$(dirname "$0")/.."
clients=${1:-10000}
headers=${2:-minimal}
# shellcheck source=scripts/lib/bench-common.sh
source scripts/lib/bench-common.sh
build_rtbench

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# -> bytes per connection (the CSV's server_bytes_per_idle_conn)
measure() { bytes_per_idle_conn "$bin" "$bin" 18113 "$clients" "$work" "$@" --headers "$headers" || exit 1; }

idle=$(measure --transport poll --poll-interval-ms 3600000)  # the longest interval: no poll during the run
parked=$(measure --transport longpoll --longpoll-timeout-ms 60000)
echo "clients $clients, headers $headers"
awk -v i="$idle" -v p="$parked" 'BEGIN {
  printf "idle keep-alive connection: %.0f B per connection (RSS delta / N)\n", i
  printf "parked long poll:           %.0f B per connection\n", p
  printf "what parking adds:          %.0f B per parked request (target <= 512)\n", p - i }'
