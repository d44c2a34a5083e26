#!/usr/bin/env bash
# Installs what is missing, builds the normal and the ASan+UBSan configurations, and runs every test in both.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
jobs=$(nproc)

echo "== build: default (RelWithDebInfo)"
cmake --preset default >/dev/null
cmake --build --preset default -j"$jobs"
echo "== build: asan (AddressSanitizer + UndefinedBehaviorSanitizer)"
cmake --preset asan >/dev/null
cmake --build --preset asan -j"$jobs"

status=0
echo "== tests: default"
ctest --preset default -j"$jobs" || status=1
echo "== tests: asan"
ctest --preset asan -j"$jobs" || status=1
exit $status
