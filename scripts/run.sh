#!/usr/bin/env bash
# The main job: install what is missing, build, run the quick suite (all four transports, about 1.5 minutes on
# 2 cores) into results/latest/ (git-ignored), and say where the report and the plots are.
# Extra arguments go to `rtbench run`, e.g. scripts/run.sh --repeat 1 (other suites: rtbench run --list).
source "$(dirname "$0")/lib/script-help.sh"
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/configure.sh default
cmake --build --preset default -j"$(nproc)" --target rtbench

# Debian's interpreter has python3-matplotlib; a python3 first on PATH (pyenv, venv) may not.
status=0
build/harness/rtbench run --suite quick --out results/latest --python /usr/bin/python3 "$@" || status=$?
# rtbench run said where everything is; the last lines say it again for whoever scrolls (also after a failed run,
# whose folder still holds what finished).
echo
echo "Report: results/latest/report.md"
echo "Plots:  results/latest/plots/ (PNG 1920x1080 and SVG)"
exit "$status"
