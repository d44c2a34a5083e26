#!/usr/bin/env bash
# Every script answers --help with its opening comment and exit status 0, before it installs or builds anything.
set -uo pipefail
cd "$(dirname "$0")/../.."
failed=0
for f in scripts/*.sh scripts/plot.py scripts/plot_compare.py; do
  first=$(sed -n 2p "$f" | sed 's/^# \{0,1\}//; s/^"""//')
  if [[ $f == *.py ]]; then out=$(/usr/bin/python3 "$f" --help 2>&1); else out=$(bash "$f" --help 2>&1); fi
  status=$?
  if [[ $status -ne 0 || $out != "$first"* ]]; then
    echo "FAIL $f --help: status $status, output starts: ${out:0:120}"
    failed=1
  fi
  # Help speaks to a user: no references to the project's issue tracker, no pointers to text that is not there.
  if [[ $out == *"issue #"* || $out == *"see below"* ]]; then
    echo "FAIL $f --help cites an issue or says 'see below': ${out:0:200}"
    failed=1
  fi
done
exit $failed
