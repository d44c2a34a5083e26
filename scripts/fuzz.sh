#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (build-fuzz/) and runs each for SECONDS on a copy of its seed corpus and
# bug reproducers, printing executions and exec/s per target; fails on any crash, leak or timeout.
#
#   scripts/fuzz.sh SECONDS [TARGET...]      e.g. scripts/fuzz.sh 60, scripts/fuzz.sh 600 ws_reader_fuzz
#
# Work corpora go to fuzz/corpus-work/<target>/ (git-ignored): fresh copies of the seeds unless
# RTB_FUZZ_KEEP_CORPUS=1, which keeps what earlier runs found. Logs and crash reproducers are written to
# fuzz/corpus-work/logs/ and fuzz/corpus-work/artifacts/. RTB_FUZZ_JOBS=N runs N fuzzing processes per target
# (libFuzzer -fork), for long runs on machines with spare cores. RTB_FUZZ_RUNS=N stops each target after N
# executions, SECONDS then being the cap: the long run of results/fuzz is RTB_FUZZ_RUNS=10000000 with a cap of
# hours.
source "$(dirname "$0")/lib/script-help.sh"
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -lt 1 ] || ! [[ $1 =~ ^[0-9]+$ ]]; then
  echo "usage: scripts/fuzz.sh SECONDS [TARGET...]" >&2
  exit 2
fi
seconds=$1
shift
all_targets=(http_request_fuzz ws_reader_fuzz sse_parser_fuzz ws_handshake_fuzz http_response_parser_fuzz
  query_params_fuzz tls_record_fuzz)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")

scripts/install-deps.sh
build="build-fuzz"
CC=clang CXX=clang++ cmake -S . -B "$build" -DRTB_BUILD_FUZZ=ON -DRTB_BUILD_TESTS=OFF -DRTB_BUILD_BENCH=OFF \
  -DRTB_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}"

work=fuzz/corpus-work
mkdir -p "$work/logs" "$work/artifacts"
# Leaks fail the run; UBSan findings abort (the build uses -fno-sanitize-recover) so libFuzzer saves them.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"

status=0
printf '%-28s %14s %10s %8s %s\n' target executions exec/s rss_mb result
for t in "${targets[@]}"; do
  corpus="$work/$t"
  if [ "${RTB_FUZZ_KEEP_CORPUS:-0}" != 1 ]; then rm -rf "$corpus"; fi
  mkdir -p "$corpus"
  cp -n fuzz/corpus/"$t"/* "$corpus"/
  if [ -d fuzz/regressions/"$t" ]; then cp -n fuzz/regressions/"$t"/* "$corpus"/; fi
  args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
    -artifact_prefix="$work/artifacts/$t-")
  [ -f fuzz/dict/"$t".dict ] && args+=(-dict=fuzz/dict/"$t".dict)
  [ "${RTB_FUZZ_JOBS:-1}" -gt 1 ] && args+=(-fork="$RTB_FUZZ_JOBS" -ignore_crashes=0)
  [ -n "${RTB_FUZZ_RUNS:-}" ] && args+=(-runs="$RTB_FUZZ_RUNS")
  log="$work/logs/$t.log"
  rc=0
  "$build/fuzz/$t" "${args[@]}" "$corpus" >"$log" 2>&1 || rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
  rss=$(grep -o 'stat::peak_rss_mb: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)
  if [ -z "$execs" ]; then
    # -fork prints no final stats; its last status line has the total over all jobs.
    execs=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#' || true)
    [ -n "$execs" ] && [ "$seconds" -gt 0 ] && rate=$((execs / seconds))
  fi
  result=ok
  if [ "$rc" -ne 0 ] || grep -qE '^==[0-9]+==ERROR|^SUMMARY: |libFuzzer: (deadly signal|timeout|out-of-memory)' "$log"; then
    result="FAILED (rc $rc, see $log)"
    status=1
  fi
  printf '%-28s %14s %10s %8s %s\n' "$t" "${execs:-?}" "${rate:-?}" "${rss:-?}" "$result"
done
if [ $status -ne 0 ]; then
  echo "fuzz: reproducers are in $work/artifacts/; run one with $build/fuzz/<target> <file>" >&2
fi
exit $status
