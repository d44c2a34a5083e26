#!/usr/bin/env bash
# Installs what is missing, builds the normal configuration (g++) and the sanitizer one (clang: ASan + UBSan,
# with the libFuzzer targets), and runs every test in both; the sanitizer run adds a short run of each fuzz target.
# It also compiles every source file of the libraries and binaries on its own, so a file that compiles only
# inside a unity batch (a missing #include) fails here.
source "$(dirname "$0")/lib/script-help.sh"
set -euo pipefail
cd "$(dirname "$0")/.."

start=$SECONDS
stage() { echo "== $1 (at $((SECONDS - start)) s)"; }
stage "install"
scripts/install-deps.sh
jobs=$(nproc)

stage "build: default (g++, RelWithDebInfo)"
scripts/configure.sh default
cmake --build --preset default -j"$jobs"
# The unity builds hide a missing #include when a batch-mate supplies it: every file of the libraries and
# binaries also goes through the compiler on its own (syntax only; the unity builds compile and link the code).
# The test files are left out to keep the run within its 15-minute budget on 2 cores; after touching a test
# file's #includes, run scripts/check-standalone.sh --with-tests.
# Most tests wait on sockets and timers rather than compute: twice as many at once as there are cores. The
# default build's tests run beside the standalone check (which computes), their output shown when both end; the
# Chromium tests (label browser) run one at a time and mostly wait on the browser: that chain runs beside the
# sanitizer tests, its output shown when it ends.
# --output-on-failure: a failure in CI shows what the test printed (its own FAIL lines), not only its name.
status=0
stage "check: every source file compiles on its own (-fsyntax-only, the nonunity preset's commands), beside the default tests (without the browser chain)"
default_log=$(mktemp)
ctest --preset default -j"$((jobs * 2))" -LE browser --output-on-failure >"$default_log" 2>&1 &
default_pid=$!
trap 'kill "$default_pid" 2>/dev/null || true; rm -f "$default_log"' EXIT
scripts/check-standalone.sh || status=1
wait "$default_pid" || status=1
echo "== the default tests' output:"
cat "$default_log"
if [ "$status" -ne 0 ]; then
  stage "done, status $status"
  exit $status
fi
stage "build: asan (clang, AddressSanitizer + UndefinedBehaviorSanitizer, libFuzzer targets)"
scripts/configure.sh asan
cmake --build --preset asan -j"$jobs"

stage "tests: the browser chain (default build) beside the asan tests (GoogleTest suites, fuzz short runs)"
browser_log=$(mktemp)
ctest --preset default -L browser --output-on-failure >"$browser_log" 2>&1 &
browser_pid=$!
trap 'kill "$browser_pid" 2>/dev/null || true; rm -f "$browser_log" "$default_log"' EXIT
# The proxy-integration tests (label proxy, and the proxy suite's smoke run) start real nginx, HAProxy and
# squid around the server: the default stage runs them; under the sanitizers they would repeat the same checks
# of third-party behaviour, and the tunnel code they reach is covered there by the ClientLinkTunnel tests.
# The same for label system (network namespaces run by scripts/netns-hosts.sh): the script is what it checks.
ctest --preset asan -j"$((jobs * 2))" --output-on-failure -LE 'proxy|system' -E '^RunSuiteSmoke\.ProxiesInThePathWithTheirFailureTable$' || status=1
wait "$browser_pid" || status=1
echo "== the browser chain's output:"
cat "$browser_log"
stage "done, status $status"
exit $status
