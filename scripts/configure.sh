#!/usr/bin/env bash
# Configures a CMake preset (scripts/configure.sh PRESET). A build folder made before the presets switched to
# Ninja is started afresh, since CMake refuses to change the generator of an existing folder.
source "$(dirname "$0")/lib/script-help.sh"
set -euo pipefail
cd "$(dirname "$0")/.."
preset=$1
dir=build
case "$preset" in
  default) dir=build ;;
  *) dir="build-$preset" ;;
esac
if [ -f "$dir/CMakeCache.txt" ] && ! grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja$' "$dir/CMakeCache.txt"; then
  echo "configure: $dir was made with another generator; starting it afresh"
  rm -rf "$dir"
fi
cmake --preset "$preset" >/dev/null
