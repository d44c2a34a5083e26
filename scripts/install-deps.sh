#!/usr/bin/env bash
# Installs, with apt-get, exactly the Debian 12 packages rtbench needs that are missing. Idempotent; run as root.
source "$(dirname "$0")/lib/script-help.sh"
set -euo pipefail

# Build and test toolchain, libraries, and the third-party peers the tests talk to.
pkgs=(
  build-essential cmake ninja-build pkg-config git
  libuv1-dev node-llhttp libbenchmark-dev libcli11-dev libfmt-dev nlohmann-json3-dev libgtest-dev libgmock-dev libssl-dev zlib1g-dev
  python3 python3-matplotlib python3-websockets curl
  # clang with libFuzzer and the sanitizer runtimes; llvm brings llvm-symbolizer, without which sanitizer and
  # libFuzzer reports have no function names (clang only recommends it, and we install no recommends).
  clang libclang-rt-14-dev llvm clang-format
  # The browser tests (tests/browser/): Debian's Chromium, driven by npm playwright-core (tests/browser/), and
  # certutil, with which Browser.Page.tls makes Chromium trust a throwaway test CA (its NSS database).
  chromium libnss3-tools
  # The intermediaries the proxy tests and the `proxy` suite start in front of the server (harness/proxies/).
  nginx-light haproxy squid
  # The Redis broker (--broker redis://): hiredis with its libuv adapter, and the server the tests start per run.
  libhiredis-dev redis-server
  # `ip`, with which scripts/netns-hosts.sh puts server and generators in network namespaces of their own.
  iproute2
)
# Node with its npm may come from elsewhere (Debian's npm conflicts with such a node): only when node is missing.
command -v node >/dev/null || pkgs+=(nodejs npm)
# Extra packages for benchmarks against peers (wrk; valgrind for instruction counts; heaptrack for memory per
# object) are opt-in: RTB_BENCH_DEPS=1.
if [ "${RTB_BENCH_DEPS:-0}" = 1 ]; then
  pkgs+=(wrk valgrind heaptrack)
  # Node (for the ws peer) may come from elsewhere with its own npm; Debian's nodejs conflicts with that npm.
  command -v node >/dev/null || pkgs+=(nodejs npm)
fi

missing=()
for p in "${pkgs[@]}"; do
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != 'install ok installed' ]; then missing+=("$p"); fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#pkgs[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
