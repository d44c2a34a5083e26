#!/usr/bin/env bash
# scripts/run.sh passes --suite through to rtbench run, and on a failure says so without naming a report that
# this run did not write. Usage: run_sh_test.sh RTBENCH_BINARY
set -uo pipefail
cd "$(dirname "$0")/../.."
bin=$1
failed=0
check() {  # check NAME EXPECTED_STATUS OUTPUT STATUS [MUST_CONTAIN] [MUST_NOT_CONTAIN]
  local name=$1 want=$2 out=$3 got=$4 yes=${5:-} no=${6:-}
  if [ "$got" -ne "$want" ]; then echo "FAIL $name: exit $got, wanted $want; output: $out"; failed=1; fi
  if [ -n "$yes" ] && [[ $out != *"$yes"* ]]; then echo "FAIL $name: no '$yes' in: $out"; failed=1; fi
  if [ -n "$no" ] && [[ $out == *"$no"* ]]; then echo "FAIL $name: '$no' in: $out"; failed=1; fi
}
out=$(RTB_BIN=$bin bash scripts/run.sh --suite no-such-suite 2>&1); status=$?
check "unknown suite" 2 "$out" "$status" "no suite 'no-such-suite'" "Report:"
check "unknown suite says FAILED" 2 "$out" "$status" "FAILED"
out=$(RTB_BIN=$bin bash scripts/run.sh --bogus 2>&1); status=$?
check "unknown option" 2 "$out" "$status" "--bogus" "Report:"
out=$(RTB_BIN=$bin bash scripts/run.sh --suite tiny --out results/quick 2>&1); status=$?
check "committed folder" 2 "$out" "$status" "--force" "Report:"
exit $failed
