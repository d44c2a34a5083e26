#!/usr/bin/env bash
# Runs one browser test (node FILE.mjs ARGS...), after installing playwright-core from package-lock.json into
# tests/browser/node_modules when it is missing. `run.sh --install` only installs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -f "$here/node_modules/playwright-core/package.json" ]; then
  # One install at a time, even when ctest starts several tests at once.
  exec 9>"$here/.npm-install.lock"
  flock -w 300 9
  if [ ! -f "$here/node_modules/playwright-core/package.json" ]; then
    (cd "$here" && timeout 300 npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
[ "${1:-}" = --install ] && exit 0
cd "$here"
exec node "$@"
