#!/usr/bin/env bash
# Makes results/tls/ (or OUT): `rtbench run --suite tls` (every point plain and over TLS in one run: bytes per
# event with the records, CPU per event and p99, a handshake per request full vs resumed, idle memory with and
# without released buffers), then the handshake anchor against nginx (scripts/bench-tls-handshake.sh) into the
# same folder. About 22 minutes on 2 cores; run it on a quiet machine.
# Usage: scripts/bench-tls.sh [OUT] [REPEAT]   (defaults: results/tls 3; OUT under results/ needs no --force)
# Exit: 0 done, 1 a run or check failed, 2 setup error.
source "$(dirname "$0")/lib/script-help.sh"
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-results/tls}
repeat=${2:-3}
# shellcheck source=scripts/lib/bench-common.sh
source scripts/lib/bench-common.sh
RTB_BENCH_DEPS=1 scripts/install-deps.sh >/dev/null || exit 2
build_rtbench || exit 2
status=0
"$bin" run --suite tls --out "$out" --repeat "$repeat" --force || status=$?
[ "$status" -ge 2 ] && exit "$status"
RTB_BUILD_DIR=$(dirname "$(dirname "$bin")") scripts/bench-tls-handshake.sh 5 5 --out "$out" || status=$?
exit "$status"
