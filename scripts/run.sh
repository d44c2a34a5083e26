#!/usr/bin/env bash
# The main job: install what is missing, build, and run the quick comparison of all four transports.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default -j"$(nproc)" --target rtbench

bin=build/harness/rtbench
port=${RTB_PORT:-18080}
"$bin" serve --port "$port" >/tmp/rtbench-serve.log 2>&1 &
server=$!
trap 'kill -INT $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/stats" >/dev/null && break; sleep 0.1; done
id=$(curl -fs -X POST --data 'hello from run.sh' "http://127.0.0.1:$port/publish")
curl -fs "http://127.0.0.1:$port/poll?since=$((id - 1))"
