#!/usr/bin/env bash
# Checks that every source file compiles on its own, outside the unity batches that can hide a missing
# #include when a batch-mate supplies it: each file of the libraries, binaries, micro-benchmarks and fuzz
# targets goes through the compiler alone (-fsyntax-only, the compile commands of the nonunity preset, with
# clang++ when installed: the same headers, a faster front end), both cores at once. Codegen is skipped: it cannot fail where parsing passed, and the unity builds link every object.
# Usage: scripts/check-standalone.sh [--with-tests]   (--with-tests: the GoogleTest files too)
# Exit: 0 every file compiles, 1 some file does not (its errors are printed), 2 setup error.
source "$(dirname "$0")/lib/script-help.sh"
set -euo pipefail
cd "$(dirname "$0")/.."
with_tests=0
case "${1:-}" in
  "") ;;
  --with-tests) with_tests=1 ;;
  *) echo "check-standalone: unknown argument '$1' (see --help)" >&2; exit 2 ;;
esac
scripts/configure.sh nonunity || exit 2
db=build-nonunity/compile_commands.json
[ -f "$db" ] || { echo "check-standalone: $db missing after configuring the nonunity preset" >&2; exit 2; }
list=$(mktemp)
logs=$(mktemp -d)
trap 'rm -rf "$list" "$logs"' EXIT
# One line per file: the directory, then the compile command with its output replaced by -fsyntax-only.
clangxx=$(command -v clang++ || true)
RTB_WITH_TESTS=$with_tests RTB_CLANGXX=$clangxx python3 - "$db" "$PWD" >"$list" <<'EOF'
import json, os, shlex, sys
db, root = sys.argv[1], sys.argv[2]
with_tests = os.environ["RTB_WITH_TESTS"] == "1"
clang = os.environ.get("RTB_CLANGXX", "")
for e in json.load(open(db)):
    rel = os.path.relpath(e["file"], root)
    if rel.startswith("tests/") and not with_tests:
        continue
    if rel.startswith(".."):  # third-party sources (llhttp) are not ours to check
        continue
    if os.path.commonpath([os.path.abspath(e["file"]), os.path.abspath(e["directory"])]) == os.path.abspath(e["directory"]):
        continue  # generated at build time (the demo page's assets): made whole by the generator
    args = shlex.split(e["command"])
    if clang:  # clang's front end is the faster one; the asan build keeps the code warning-free under it
        args[0] = clang
    out = []
    skip = False
    for a in args:
        if skip:
            skip = False
            continue
        if a == "-o":
            skip = True
            continue
        out.append(a)
    print(e["directory"] + "\t" + shlex.join(out + ["-fsyntax-only"]))
EOF
total=$(wc -l <"$list")
[ "$total" -gt 0 ] || { echo "check-standalone: no source files found in $db" >&2; exit 2; }
echo "check-standalone: $total files, $(nproc) at a time"
export logs
# shellcheck disable=SC2016
tr '\n' '\0' <"$list" | xargs -0 -P"$(nproc)" -I{} bash -c '
  dir=${1%%$'"'"'\t'"'"'*}; cmd=${1#*$'"'"'\t'"'"'}
  if ! (cd "$dir" && eval "$cmd") >"$logs/$$.log" 2>&1; then mv "$logs/$$.log" "$logs/$$.failed"; fi
  rm -f "$logs/$$.log"' _ {}
failed=$(find "$logs" -name '*.failed' | wc -l)
if [ "$failed" -gt 0 ]; then
  cat "$logs"/*.failed
  echo "check-standalone: $failed of $total files do not compile on their own (errors above)" >&2
  exit 1
fi
echo "check-standalone: all $total files compile on their own"
