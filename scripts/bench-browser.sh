#!/usr/bin/env bash
# Browser latency vs generator latency at one rate: Chromium running the demo page (all five panes, the page
# publishing) and `rtbench load -c 1` per transport, same rate, payload and poll interval. Writes
# OUT/report.md and OUT/browser_vs_generator.csv (tests/browser/bench_browser.mjs does the work).
# Usage: scripts/bench-browser.sh [--rate R] [--seconds S] [--payload B] [--interval MS] [--out DIR]
#   defaults: --rate 10 --seconds 30 --payload 64 --interval 1000 --out results/browser (R*S <= 1000)
source "$(dirname "$0")/lib/script-help.sh"
set -euo pipefail
cd "$(dirname "$0")/.."
rate=10 seconds=30 payload=64 interval=1000 out=results/browser
while [ $# -gt 0 ]; do
  case "$1" in
    --rate) rate=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --payload) payload=$2; shift 2 ;;
    --interval) interval=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "bench-browser: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
scripts/install-deps.sh
scripts/configure.sh default
cmake --build --preset default --target rtbench
out=$(mkdir -p "$out" && cd "$out" && pwd)
exec tests/browser/run.sh bench_browser.mjs --rtbench "$PWD/build/harness/rtbench" --rate "$rate" \
  --seconds "$seconds" --payload "$payload" --interval "$interval" --out "$out"
