#!/usr/bin/env bash
# The main job: install what is missing, build, run a suite (default: quick, every transport, about 1.5
# minutes on 2 cores) into a fresh folder results/latest/<suite>-<UTC time>/ (git-ignored; earlier runs are
# kept), and say where the report and the plots are.
# Usage: scripts/run.sh [--suite NAME] [--out DIR] [other `rtbench run` options, e.g. --repeat 1]
# The suites: build/harness/rtbench run --list. Exit status: that of `rtbench run` (0 every run passed, 1 a run
# failed or missed a threshold, 2 a usage or setup error). RTB_BIN=path skips installing and building.
source "$(dirname "$0")/lib/script-help.sh"
set -euo pipefail
cd "$(dirname "$0")/.."

suite=quick
out=
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    -s | --suite)
      suite=${2:?"--suite needs a name (build/harness/rtbench run --list)"}
      shift 2
      ;;
    --suite=*) suite=${1#--suite=}; shift ;;
    -o | --out)
      out=${2:?"--out needs a folder"}
      shift 2
      ;;
    --out=*) out=${1#--out=}; shift ;;
    *) args+=("$1"); shift ;;
  esac
done
[ -n "$out" ] || out="results/latest/${suite}-$(date -u +%Y%m%d-%H%M%S)"

bin=${RTB_BIN:-}
if [ -z "$bin" ]; then
  scripts/install-deps.sh
  scripts/configure.sh default
  cmake --build --preset default -j"$(nproc)" --target rtbench
  bin=build/harness/rtbench
fi

# Debian's interpreter has python3-matplotlib; a python3 first on PATH (pyenv, venv) may not.
status=0
"$bin" run --suite "$suite" --out "$out" --python /usr/bin/python3 "${args[@]}" || status=$?
# rtbench run said where everything is; the last lines say it again for whoever scrolls, and only about this run.
echo
if [ "$status" -eq 0 ]; then
  echo "Report: $out/report.md"
  echo "Plots:  $out/plots/ (PNG 1920x1080 and SVG)"
elif [ -f "$out/report.md" ]; then
  echo "rtbench run FAILED (exit status $status); the runs that finished are in $out/report.md"
else
  echo "rtbench run FAILED (exit status $status) before writing a report; see the messages above"
fi
exit "$status"
