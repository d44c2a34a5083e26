#!/usr/bin/env bash
# Installs what is missing, builds the normal configuration (g++) and the sanitizer one (clang: ASan + UBSan,
# with the libFuzzer targets), and runs every test in both; the sanitizer run adds a short run of each fuzz target.
# It also builds the libraries and binaries of the non-unity preset, so a file that compiles only inside a
# unity batch (a missing #include) fails here.
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
# The unity builds hide a missing #include when a batch-mate supplies it; the nonunity preset compiles every file
# on its own, without debug info (about a quarter faster), libraries and binaries only (rtbench, whose
# dependencies are every library, and rtbench-micro). The test binaries would take the whole run past its
# 15-minute budget on 2 cores; they already build and run in both unity builds. After touching a test file's
# #includes, build the whole preset (cmake --build --preset nonunity).
stage "build: nonunity (g++ -O0 -g0, one object per source file; libraries and binaries)"
scripts/configure.sh nonunity
cmake --build --preset nonunity -j"$jobs" --target rtbench rtbench-micro
stage "build: asan (clang, AddressSanitizer + UndefinedBehaviorSanitizer, libFuzzer targets)"
scripts/configure.sh asan
cmake --build --preset asan -j"$jobs"

# Most tests wait on sockets and timers rather than compute: twice as many at once as there are cores.
status=0
stage "tests: default"
ctest --preset default -j"$((jobs * 2))" || status=1
stage "tests: asan (GoogleTest suites and the fuzz targets' short runs)"
ctest --preset asan -j"$((jobs * 2))" || status=1
stage "done, status $status"
exit $status
